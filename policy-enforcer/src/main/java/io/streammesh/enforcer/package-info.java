/**
 * The policy-enforcer, principal {@code mesh-enforcer}: two independent parts that turn the
 * catalog's decisions into what the broker enforces.
 * {@link io.streammesh.enforcer.GrantEnforcer} follows {@code mesh.access.grants} and keeps the
 * broker's ACLs equal to the ACTIVE grants (it keeps no clock: the catalog writes a grant
 * EXPIRED), touching only ACLs recorded in its ledger, {@code mesh-enforcer.acl-ledger}.
 * {@link io.streammesh.enforcer.ViewApp} runs {@code ViewTopology} under exactly-once v2: every
 * product record, filtered (CEL) and masked per view, to {@code mesh.view.<address>.<view>}, a
 * failing record to that view's {@code .dlq}, each view's health to {@code mesh.view.status}.
 *
 * <p>Threading: the grant enforcer polls and reconciles on its own thread,
 * {@code mesh-enforcer-grants}; the views run on Kafka Streams' stream threads, where the
 * per-schema field locators and record writers ({@link io.streammesh.schema.ProductFields},
 * {@code ViewRecords}) are used by one thread at a time. Topics in: {@code mesh.access.grants}, product topics,
 * {@code mesh.catalog} (global table); out: the ledger, view topics and their {@code .dlq},
 * {@code mesh.view.status}. Each part starts with {@code start} and stops with {@code close}.
 */
package io.streammesh.enforcer;
