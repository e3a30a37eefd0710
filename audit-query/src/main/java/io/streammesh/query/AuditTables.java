package io.streammesh.query;

import io.streammesh.client.MeshSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshTopics;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.types.DataType;

/**
 * The tables an auditor queries, each over a mesh topic read by {@link ApicurioAvroFormatFactory}:
 * <ul>
 *   <li>{@code audit}: {@code mesh.audit}, one row per audit event;</li>
 *   <li>{@code catalog}: {@code mesh.catalog}, one row per version of a product's catalog entry;</li>
 *   <li>{@code grants}: {@code mesh.access.grants}, one row per change of a grant (ACTIVE, then REVOKED or EXPIRED);</li>
 *   <li>{@code grants_now}: a view of {@code grants}, the current state of each grant (its latest change).</li>
 * </ul>
 * Column names are snake_case, away from SQL's reserved words ({@code event_type},
 * {@code event_count}, {@code partition_id}, {@code view_name}).
 */
final class AuditTables {

    /**
     * A column: its name, type, and the Avro field path it reads, or else the Kafka metadata
     * (e.g. {@code offset}) it reads.
     */
    record Column(String name, DataType type, String path, String metadata) {
        Column(String name, DataType type, String path) {
            this(name, type, path, null);
        }

        static Column ofMetadata(String name, DataType type, String metadata) {
            return new Column(name, type, null, metadata);
        }
    }

    /** A table over one topic. */
    record Table(String name, String topic, List<Column> columns) {
    }

    static final Table AUDIT = new Table("audit", MeshTopics.AUDIT, List.of(
            new Column("event_time", DataTypes.TIMESTAMP(3), "eventTime"),
            new Column("event_type", DataTypes.STRING(), "type"),
            new Column("principal", DataTypes.STRING(), "principal"),
            new Column("client_address", DataTypes.STRING(), "clientAddress"),
            new Column("operation", DataTypes.STRING(), "operation"),
            new Column("resource_type", DataTypes.STRING(), "resourceType"),
            new Column("resource_name", DataTypes.STRING(), "resourceName"),
            new Column("decision", DataTypes.STRING(), "decision"),
            new Column("event_count", DataTypes.BIGINT(), "count"),
            new Column("product", DataTypes.STRING(), "product"),
            new Column("view_name", DataTypes.STRING(), "view"),
            new Column("consumer_group", DataTypes.STRING(), "consumerGroup"),
            new Column("partition_id", DataTypes.INT(), "partition"),
            new Column("from_offset", DataTypes.BIGINT(), "fromOffset"),
            new Column("to_offset", DataTypes.BIGINT(), "toOffset"),
            new Column("reason", DataTypes.STRING(), "reason"),
            new Column("prev_hash", DataTypes.STRING(), "prevHash"),
            new Column("hash", DataTypes.STRING(), "hash")));

    static final Table CATALOG = new Table("catalog", MeshTopics.CATALOG, List.of(
            new Column("address", DataTypes.STRING(), "address"),
            new Column("domain", DataTypes.STRING(), "domain"),
            new Column("status", DataTypes.STRING(), "status"),
            new Column("version", DataTypes.STRING(), "registration.version"),
            new Column("description", DataTypes.STRING(), "registration.description"),
            new Column("classification", DataTypes.STRING(), "registration.classification"),
            new Column("owner_team", DataTypes.STRING(), "registration.owner.team"),
            new Column("owner_principal", DataTypes.STRING(), "registration.owner.principal"),
            new Column("tags", DataTypes.ARRAY(DataTypes.STRING()), "registration.tags"),
            new Column("first_published_at", DataTypes.TIMESTAMP(3), "firstPublishedAt"),
            new Column("updated_at", DataTypes.TIMESTAMP(3), "updatedAt")));

    static final Table GRANTS = new Table("grants", MeshTopics.ACCESS_GRANTS, List.of(
            new Column("grant_id", DataTypes.STRING(), "grantId"),
            new Column("request_id", DataTypes.STRING(), "requestId"),
            new Column("principal", DataTypes.STRING(), "principal"),
            new Column("product", DataTypes.STRING(), "product"),
            new Column("view_name", DataTypes.STRING(), "view"),
            new Column("consumer_group", DataTypes.STRING(), "consumerGroup"),
            new Column("topic", DataTypes.STRING(), "topic"),
            new Column("purpose", DataTypes.STRING(), "purpose"),
            new Column("status", DataTypes.STRING(), "status"),
            new Column("approved_by", DataTypes.STRING(), "approvedBy"),
            new Column("granted_at", DataTypes.TIMESTAMP(3), "grantedAt"),
            new Column("expires_at", DataTypes.TIMESTAMP(3), "expiresAt"),
            new Column("ended_at", DataTypes.TIMESTAMP(3), "endedAt"),
            new Column("ended_by", DataTypes.STRING(), "endedBy"),
            // A grant's changes share its key, so its partition: the later change has the higher offset.
            Column.ofMetadata("change_offset", DataTypes.BIGINT(), "offset")));

    static final List<Table> ALL = List.of(AUDIT, CATALOG, GRANTS);

    /** The view of each grant's current state, over {@link #GRANTS}. */
    static final String GRANTS_NOW = "grants_now";

    /**
     * @return the statement of {@value #GRANTS_NOW}: the latest change of each grant, so that
     *         {@code status = 'ACTIVE'} means active now (not once, then revoked)
     */
    static String grantsNowQuery() {
        String columns = GRANTS.columns().stream().map(Column::name).collect(Collectors.joining(", "));
        return "SELECT " + columns + " FROM (SELECT " + columns + ", ROW_NUMBER() OVER (PARTITION BY grant_id ORDER BY change_offset DESC) AS change_rank"
                + " FROM " + GRANTS.name() + ") WHERE change_rank = 1";
    }

    private AuditTables() {
    }

    /**
     * @param table which table
     * @param clientConfig the acting principal's client config (Kafka, SASL, registry)
     * @param scan which part of the topic to read
     * @return the table's Flink descriptor
     */
    static TableDescriptor descriptor(Table table, MeshClientConfig clientConfig, AuditQuery.Scan scan) {
        var schema = Schema.newBuilder();
        table.columns().forEach(c -> {
            if (c.metadata() == null) {
                schema.column(c.name(), c.type());
            } else {
                schema.columnByMetadata(c.name(), c.type(), c.metadata(), true);
            }
        });
        var descriptor = TableDescriptor.forConnector("kafka")
                .schema(schema.build())
                .option("topic", table.topic())
                .option("value.format", ApicurioAvroFormatFactory.IDENTIFIER)
                .option("value." + ApicurioAvroFormatFactory.IDENTIFIER + ".url", MeshSerdes.registryUrl(clientConfig))
                .option("value." + ApicurioAvroFormatFactory.IDENTIFIER + ".username", MeshSerdes.registryLogin(clientConfig).name())
                .option("value." + ApicurioAvroFormatFactory.IDENTIFIER + ".password", MeshSerdes.registryLogin(clientConfig).password())
                .option("value." + ApicurioAvroFormatFactory.IDENTIFIER + ".field-paths",
                        table.columns().stream().filter(c -> c.path() != null).map(c -> c.name() + "=" + c.path()).collect(Collectors.joining(",")))
                .option("properties.isolation.level", "read_committed")
                .option("properties.client.id.prefix", "mesh-audit-query");
        clientConfig.kafka().forEach((key, value) -> descriptor.option("properties." + key, String.valueOf(value)));
        if (scan.since() != null) {
            descriptor.option("scan.startup.mode", "timestamp")
                    .option("scan.startup.timestamp-millis", String.valueOf(scan.since().toEpochMilli()));
        } else {
            descriptor.option("scan.startup.mode", "earliest-offset");
        }
        if (scan.until() != null) {
            descriptor.option("scan.bounded.mode", "timestamp")
                    .option("scan.bounded.timestamp-millis", String.valueOf(scan.until().toEpochMilli()));
        } else if (!scan.follow()) {
            descriptor.option("scan.bounded.mode", "latest-offset");
        }
        return descriptor.build();
    }
}
