#!/usr/bin/env bash
# Runs the root README's examples, as written there, against a running demo mesh and stops at the
# first one that fails (exit 1, naming it). Keep it in step with README.md.
#
#   ./mesh up --demo                        # in another shell, on a fresh clone
#   scripts/readme-examples.sh              # or MESH_STATE_DIR=DIR scripts/readme-examples.sh
#
# Left out: `./mesh up` itself, `./mvnw verify`, `./mesh up --fresh` (it would wipe the mesh),
# `./mesh product retire` (the examples after it use the product; it runs last with --retire),
# the kcat consumers (they read until stopped) and `audit query --follow` (likewise).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RETIRE=false
if [ "${1:-}" = --retire ]; then RETIRE=true; fi
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
count=0

# Runs one example; its output is shown, a non-zero exit ends the script.
example() {
  count=$((count + 1))
  printf '\n$ %s\n' "$*"
  local status=0
  "$@" 2>&1 | tee "$OUT" || status=${PIPESTATUS[0]}
  if [ "$status" -ne 0 ]; then
    echo "readme-examples: FAILED (exit $status): $*" >&2
    exit 1
  fi
}

# Publishing a data product
example ./mesh product validate examples/orders/order-placed.yaml
example ./mesh product validate examples/orders/order-placed.odcs.yaml
example ./mesh product publish  examples/orders/order-placed.yaml
example ./mesh produce orders.order-placed.v1 --file examples/orders/order-placed.jsonl
example ./mesh produce orders.order-placed.v1 --file - < examples/orders/order-placed.jsonl
# the ingest API with curl, its password from a config file curl reads (never on a command line shown here)
STATE=${MESH_STATE_DIR:-$ROOT/.mesh}
INGEST_URL=$(sed -n 's/.*"ingestUrl" *: *"\([^"]*\)".*/\1/p' "$STATE/mesh.json")
CURL_LOGIN=$(mktemp)
trap 'rm -f "$OUT" "$CURL_LOGIN"' EXIT
printf 'user = "orders:%s"\n' "$(sed -n 's/.*password="\([^"]*\)".*/\1/p' "$STATE/clients/orders.properties")" > "$CURL_LOGIN"
example curl -sS --fail-with-body -K "$CURL_LOGIN" --data-binary @examples/orders/order-placed.jsonl \
       "$INGEST_URL/api/products/orders.order-placed.v1/records"

example ./mesh subject erase orders c-1 --reason "GDPR request 42" --as orders
example ./mesh keys rotate --domain orders
example ./mesh access request orders.order-placed.v1 --view full --group analytics.fraud --purpose "fraud checks" --decrypt --as analytics
DECRYPT_REQUEST=$(sed -n 's/^Requested .*: request \([^ ]*\)$/\1/p' "$OUT")
example ./mesh access approve "$DECRYPT_REQUEST" --as orders
example ./mesh consume orders.order-placed.v1 --group analytics.fraud --decrypt --from-beginning --max 5 --timeout 10s --as analytics

# Finding data and getting access
example ./mesh catalog search orders
example ./mesh catalog show orders.order-placed.v1
example ./mesh catalog lineage orders.order-placed.v1
example ./mesh catalog show orders.order-placed.v1 --contract
example ./mesh access request orders.order-placed.v1 --view analytics --group analytics \
       --purpose "weekly sales dashboard" --duration 30d --as analytics
REQUEST=$(sed -n 's/^Requested .*: request \([^ ]*\)$/\1/p' "$OUT")
example ./mesh access list --status PENDING --as orders
example ./mesh access approve "$REQUEST" --as orders
example ./mesh access grants --as analytics
# withdrawn: a request of its own, so that the examples after it keep the analytics grant
example ./mesh access request orders.order-placed.v1 --view full --group analytics.trial --purpose "a trial" --as analytics
TRIAL=$(sed -n 's/^Requested .*: request \([^ ]*\)$/\1/p' "$OUT")
example ./mesh access withdraw "$TRIAL" --as analytics
example ./mesh catalog rejections
example ./mesh consume orders.order-placed.v1 --from-beginning --max 5 --timeout 10s
example ./mesh consume orders.order-placed.v1.dlq --from-beginning --max 5 --timeout 10s -o json
example ./mesh consume mesh.view.orders.order-placed.v1.analytics --as analytics --group analytics --max 5 --timeout 10s
if command -v kcat > /dev/null; then
  example kcat -F "$(./mesh principal list -o csv | sed -n 's/^User:orders,domain,\(.*\)\.properties$/\1.kcat.conf/p')" -L
fi

# Auditing
example ./mesh audit verify
example ./mesh audit query "SELECT principal, SUM(event_count) AS refusals FROM audit
  WHERE decision = 'DENIED' AND reason IS NULL GROUP BY principal" --since 1h
example ./mesh audit query "SELECT principal, consumer_group, SUM(event_count) AS records FROM audit
  WHERE event_type = 'CONSUMPTION' AND product = 'orders.order-placed.v1'
  GROUP BY principal, consumer_group" --since 7d
example ./mesh audit query "SELECT principal, SUM(event_count) AS produce_requests FROM audit
  WHERE event_type = 'AUTHORIZATION' AND operation = 'WRITE' AND decision = 'ALLOWED'
  AND resource_name = 'orders.order-placed.v1.ingest' GROUP BY principal" --since 1h
example ./mesh audit query "SELECT grant_id, principal, product, view_name, granted_at, expires_at FROM grants_now
  WHERE status = 'ACTIVE' AND approved_by = 'User:orders'" --format csv

# More commands
example ./mesh status
example ./mesh domain add shipping
example ./mesh principal add fraud-team
example ./mesh principal add inspector --auditor
example ./mesh principal list
example ./mesh status -o json

if [ "$RETIRE" = true ]; then
  example ./mesh product retire orders.order-placed.v1
fi
printf '\nreadme-examples: all %d examples ran.\n' "$count"
