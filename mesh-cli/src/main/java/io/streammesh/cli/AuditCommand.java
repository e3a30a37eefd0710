package io.streammesh.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.audit.AuditVerifier;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.query.AuditQuery;
import io.streammesh.query.FlinkSession;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import org.apache.flink.types.RowKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh audit verify|query}: the auditor's side of the mesh. */
@Command(name = "audit", mixinStandardHelpOptions = true, addMethodSubcommands = false, description = "Proves and questions the audit trail (mesh.audit).")
final class AuditCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "query", mixinStandardHelpOptions = true,
            description = {"Runs SQL (Flink SQL) over the tables audit, catalog, grants and grants_now.",
                    "Columns of audit: event_time, event_type, principal, client_address, operation, resource_type, resource_name, "
                            + "decision, event_count, product, view_name, consumer_group, partition_id, from_offset, to_offset, reason, prev_hash, hash.",
                    "Columns of catalog (a row per version of an entry): address, domain, status, version, description, classification, "
                            + "owner_team, owner_principal, tags, first_published_at, updated_at.",
                    "Columns of grants (a row per change of a grant): grant_id, request_id, principal, product, view_name, consumer_group, "
                            + "topic, purpose, status, approved_by, granted_at, expires_at, ended_at, ended_by, change_offset.",
                    "grants_now (each grant's current state, its latest change): the columns of grants.",
                    "Times are UTC."})
    int query(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin OutputOption output,
              @Parameters(paramLabel = "SQL", description = "One SELECT statement.") String sql,
              @Option(names = "--since", paramLabel = "WHEN", converter = WhenConverter.class,
                      description = "Read records written since then: a duration back from now (1h, 30m, 7d) or a UTC time (2026-11-25T10:00:00Z).") Instant since,
              @Option(names = "--until", paramLabel = "WHEN", converter = WhenConverter.class,
                      description = "Stop at records written then: a duration back from now or a UTC time.") Instant until,
              @Option(names = "--follow", description = "Keep the query running as new records arrive (Ctrl-C to stop).") boolean follow,
              @Option(names = "--flink", paramLabel = "HOST:PORT",
                      description = "Run the query on a Flink session cluster (its JobManager's REST address) instead of in this process; "
                              + "the job carries your client config to that cluster.") String flink) {
        if (follow && until != null) {
            throw new ParameterException(spec.commandLine(), "--follow and --until do not go together: a followed query has no end");
        }
        FlinkSession session;
        try {
            session = flink == null ? null : FlinkSession.parse(flink);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        var scan = new AuditQuery.Scan(since, until, follow);
        var out = spec.commandLine().getOut();
        var printer = QueryPrinter.of(output.format(), out, follow);
        var clientConfig = as.clientConfig(state, MeshPrincipal.ADMIN.name());
        try (var spinner = Spinner.start(spec.commandLine().getErr(), session == null ? "running the query" : "running the query on " + session)) {
            var sink = new SpinnerStoppingSink(spinner, printer);
            if (session == null) {
                AuditQuery.run(clientConfig, sql, scan, sink);
            } else {
                AuditQuery.run(clientConfig, sql, scan, sink, session);
            }
            sink.release();
        } catch (AuditQuery.QueryException e) {
            throw new MeshException("the query failed: " + e.getMessage(), e);
        }
        printer.finish();
        return Mesh.OK;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Checks every hash chain of mesh.audit; names the partition and offset of the first break.")
    int verify(@Mixin StateDirOption state, @Mixin PrincipalOption as, @Mixin OutputOption output) {
        OutputFormat format = output.formatOfOneItem(spec.commandLine().getSubcommands().get("verify"));
        AuditVerifier.Result result = AuditVerifier.verify(as.clientConfig(state, MeshPrincipal.ADMIN.name()));
        if (result.firstBreak().isPresent()) {
            throw new MeshException("the audit trail is broken at " + result.firstBreak().get());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.json) {
            out.println(TerminalText.json(verified(result), true));
            out.flush();
            return Mesh.OK;
        }
        out.printf("mesh.audit is intact: %d events in %d hash chains (%s).%n", result.total(), result.events().size(),
                String.join(", ", result.events().entrySet().stream().map(e -> "partition " + e.getKey() + ": " + e.getValue()).toList()));
        out.flush();
        return Mesh.OK;
    }

    /** The verdict of {@code audit verify} for scripts: the totals and the events of each partition's chain. */
    static ObjectNode verified(AuditVerifier.Result result) {
        ObjectNode verdict = JsonNodeFactory.instance.objectNode().put("intact", true).put("events", result.total());
        ObjectNode partitions = verdict.putObject("partitions");
        result.events().forEach((partition, events) -> partitions.put(String.valueOf(partition), events));
        return verdict;
    }

    /**
     * Stops the spinner before anything is printed, so output never shares a line with it: the
     * columns (a CSV header) wait for the first row or the end of the result, which is what the
     * query is waited for.
     */
    private static final class SpinnerStoppingSink implements AuditQuery.ResultSink {
        private final Spinner spinner;
        private final AuditQuery.ResultSink printer;
        private List<String> columns;

        SpinnerStoppingSink(Spinner spinner, AuditQuery.ResultSink printer) {
            this.spinner = spinner;
            this.printer = printer;
        }

        @Override
        public void columns(List<String> names) {
            columns = names;
        }

        @Override
        public void row(RowKind kind, List<Object> values) {
            release();
            printer.row(kind, values);
        }

        /** Stops the spinner and hands the printer the columns it holds back; idempotent. */
        void release() {
            spinner.close();
            if (columns != null) {
                printer.columns(columns);
                columns = null;
            }
        }
    }
}
