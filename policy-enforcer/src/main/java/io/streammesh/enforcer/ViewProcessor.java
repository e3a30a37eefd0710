package io.streammesh.enforcer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Mask;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.cel.RecordExpression;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * One product record → each of its product's transformed views: the view's CEL filter, then its
 * masks, written with the view's schema to {@code mesh.view.<address>.<view>}. The views come from
 * the catalog as it is now, so new products and views are picked up, and retired ones stopped,
 * without a restart. A record a view cannot handle goes to that view's {@code .dlq} with the reason.
 */
final class ViewProcessor implements Processor<byte[], byte[], byte[], ViewOutput> {

    /** Header of a dead-lettered view record: why. */
    static final String REASON = "mesh.error.reason";
    /** Header of a dead-lettered view record: the view. */
    static final String VIEW = "mesh.error.view";

    private final Deserializer<GenericRecord> products;
    private final Serializer<GenericRecord> views;
    private final BiConsumer<String, String> ensureTopics;
    private final byte[] secret;
    private final MeterRegistry meters;
    private final Map<String, Compiled> compiled = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private ProcessorContext<byte[], ViewOutput> context;
    private TimestampedKeyValueStore<String, DataProduct> catalog;

    /** A view compiled for one writer schema of its product. */
    private record Compiled(RecordExpression filter, Schema schema, Map<String, Mask> masks, ViewRecords records) {
    }

    ViewProcessor(Deserializer<GenericRecord> products, Serializer<GenericRecord> views, BiConsumer<String, String> ensureTopics,
                  byte[] secret, MeterRegistry meters) {
        this.products = products;
        this.views = views;
        this.ensureTopics = ensureTopics;
        this.secret = secret.clone();
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<byte[], ViewOutput> context) {
        this.context = context;
        this.catalog = context.getStateStore(ViewTopology.GLOBAL_CATALOG);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElseThrow();
        ValueAndTimestamp<DataProduct> entry = catalog.get(topic);
        if (entry == null || entry.value().getStatus() == ProductStatus.RETIRED) {
            return;
        }
        ProductAddress address = ProductAddress.parse(topic);
        var transformed = entry.value().getRegistration().getViews().stream()
                .filter(v -> v.getFilter() != null || !v.getMasks().isEmpty()).toList();
        if (transformed.isEmpty()) {
            return;
        }
        GenericRecord value = null;
        String undecodable = null;
        try {
            value = record.value() == null ? null : products.deserialize(topic, record.value());
        } catch (RuntimeException e) {
            undecodable = "not decodable as the product's Avro: " + e.getMessage();
        }
        for (ProductView view : transformed) {
            String viewTopic = address.viewTopic(view.getName());
            ensureTopics.accept(topic, viewTopic);
            count(viewTopic, "in");
            if (value == null) {
                deadLetter(record, viewTopic, undecodable != null ? undecodable : "a tombstone has no fields to filter or mask");
                continue;
            }
            try {
                Compiled view2 = compile(address, view, value.getSchema());
                if (view2.filter() != null && !view2.filter().test(value)) {
                    count(viewTopic, "filtered");
                    continue;
                }
                byte[] bytes = views.serialize(viewTopic, view2.records().apply(value, view2.schema(), view2.masks()));
                context.forward(new Record<>(record.key(), new ViewOutput(viewTopic, bytes), record.timestamp()));
                count(viewTopic, "out");
            } catch (RuntimeException e) {
                deadLetter(record, viewTopic, e.getMessage());
            }
        }
    }

    private Compiled compile(ProductAddress address, ProductView view, Schema writer) {
        String key = address + "/" + view.getName() + "/" + view.getFilter() + "/" + view.getMasks() + "/" + writer.hashCode();
        return compiled.computeIfAbsent(key, k -> {
            Map<String, Mask> masks = new LinkedHashMap<>();
            view.getMasks().forEach((field, mask) -> masks.put(field, Mask.parse(mask)));
            RecordExpression filter = view.getFilter() == null ? null : RecordExpression.compile(view.getFilter(), writer);
            return new Compiled(filter, ViewSchemas.derive(writer, address.toString(), view.getName(), masks), masks,
                    new ViewRecords(ViewRecords.productKey(secret, address.toString())));
        });
    }

    private void deadLetter(Record<byte[], byte[]> record, String viewTopic, String reason) {
        var headers = new RecordHeaders();
        headers.add(REASON, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        headers.add(VIEW, viewTopic.getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(record.key(), new ViewOutput(viewTopic + ".dlq", record.value()), record.timestamp(), headers));
        count(viewTopic, "dead-lettered");
    }

    private void count(String view, String outcome) {
        counters.computeIfAbsent(view + "/" + outcome, k -> Counter.builder("mesh.view.records")
                .description("Records through the policy-enforcer's views").tag("view", view).tag("outcome", outcome)
                .register(meters)).increment();
    }
}
