package io.streammesh.connector;

import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshException;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * One raw record of {@code <address>.ingest} → the product topic, or {@code <address>.dlq} with
 * the reason and where it came from. The key, timestamp and headers go along unchanged (minus
 * any {@code mesh.error.*} header a client set); the record is never dropped and the gate never
 * stops for it. Contracts come from the catalog, looked up again at most once a second per
 * product and compiled only when the registration changed; schemas are looked up once per
 * contract version and writer schema, never per record. A registry that does not answer is no
 * verdict on a record: the task fails, and the record is checked again when the stream thread is
 * replaced (exactly once, nothing lost).
 */
final class GateProcessor implements Processor<byte[], byte[], byte[], GateOutput> {

    private static final long CATALOG_REFRESH_MS = 1_000;
    private static final String NO_VERSION = "none";

    private final GateConfig config;
    private final Map<String, Plan> plans = new HashMap<>();
    private ProcessorContext<byte[], GateOutput> context;
    private TimestampedKeyValueStore<String, DataProduct> catalog;

    /**
     * A product's contract as of {@code loadedAt}: its check, or why it takes no records.
     *
     * @param loadedAt when the catalog was looked at (the stream thread's wall clock)
     * @param address the product
     * @param check its compiled contract, or null
     * @param closed why it takes no records, or null
     */
    private record Plan(long loadedAt, ProductAddress address, ContractCheck check, DeadLetterReason closed) {
    }

    GateProcessor(GateConfig config) {
        this.config = config;
    }

    @Override
    public void init(ProcessorContext<byte[], GateOutput> context) {
        this.context = context;
        this.catalog = context.getStateStore(GateTopology.GLOBAL_CATALOG);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        Plan plan = plan(source.topic());
        ContractCheck.Verdict verdict = plan.closed() != null ? new ContractCheck.Rejected(plan.closed()) : check(plan.check(), record.value());
        Headers headers = new RecordHeaders(record.headers().toArray());
        DeadLetterReason.removeForged(headers);
        if (verdict instanceof ContractCheck.Accepted accepted) {
            context.forward(new Record<>(record.key(), new GateOutput(plan.address().topic(), accepted.value()), record.timestamp(), headers));
            return;
        }
        DeadLetterReason reason = ((ContractCheck.Rejected) verdict).reason();
        String version = plan.check() == null ? NO_VERSION : plan.check().registration().getVersion();
        reason.addTo(headers, version, plan.address(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, bytes(Integer.toString(source.partition())));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, bytes(Long.toString(source.offset())));
        context.forward(new Record<>(record.key(), new GateOutput(plan.address().deadLetterTopic(), kept(record.value())),
                record.timestamp(), headers));
    }

    /**
     * An oversized value is cut to the limit: whole, it might not fit the dead-letter topic, and
     * a write that fails for good would stop the gate's task, which other products share.
     */
    private byte[] kept(byte[] value) {
        return value != null && value.length > config.maxValueBytes() ? Arrays.copyOf(value, config.maxValueBytes()) : value;
    }

    private static ContractCheck.Verdict check(ContractCheck check, byte[] value) {
        try {
            return check.check(value);
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (RuntimeException e) {
            // a record that makes the check itself fail is still only a bad record
            return new ContractCheck.Rejected(new DeadLetterReason(DeadLetterHeaders.SCHEMA_RULE,
                    "cannot be checked: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        }
    }

    /**
     * The contract of an ingest topic's product, looked up at most once a second: decoding the
     * catalog entry for every record would cost more than the check.
     */
    private Plan plan(String topic) {
        long now = context.currentSystemTimeMs();
        Plan plan = plans.get(topic);
        if (plan != null && now - plan.loadedAt() < CATALOG_REFRESH_MS) {
            return plan;
        }
        ProductAddress address = ProductAddress.ofIngestTopic(topic)
                .orElseThrow(() -> new IllegalStateException("the gate reads only ingest topics, not " + topic));
        ValueAndTimestamp<DataProduct> entry = catalog.get(address.toString());
        plan = entry == null ? closed(now, address, "product " + address + " is not in the catalog: publish its contract "
                + "(mesh product publish) and produce once the catalog has admitted it")
                : entry.value().getStatus() == ProductStatus.RETIRED ? closed(now, address, "product " + address
                        + " is retired; it takes no new records")
                : open(now, address, entry.value().getRegistration(), plan);
        plans.put(topic, plan);
        return plan;
    }

    private Plan open(long now, ProductAddress address, ProductRegistration registration, Plan previous) {
        if (previous != null && previous.check() != null && previous.check().registration().equals(registration)) {
            return new Plan(now, address, previous.check(), null);
        }
        if (registration.getSchemaContentId() == null) {
            return closed(now, address, "product " + address + " has no registered schema in its catalog entry");
        }
        try {
            return new Plan(now, address, new ContractCheck(registration, config.schemas(), config.maxValueBytes()), null);
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (MeshException e) {
            return closed(now, address, e.getMessage());
        }
    }

    private static Plan closed(long now, ProductAddress address, String reason) {
        return new Plan(now, address, null, new DeadLetterReason(DeadLetterHeaders.PRODUCT_RULE, reason));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
