package io.streammesh.enforcer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewStatus;
import io.streammesh.schema.cel.RecordExpression;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * One product record → each of its product's transformed views: the view's CEL filter, then its
 * masks, written with the view's schema to {@code mesh.view.<address>.<view>}. The record's
 * fields are located in its bytes once; a view decodes only the fields its filter reads and its
 * masks change, and copies the others byte for byte. The views come from
 * the catalog: looked up on a product topic's first record, then again by a wall-clock
 * punctuation every second, which also makes sure of a new view's topics before its first
 * record; so new products and views are picked up, and retired ones stopped, without a restart. A record a view cannot handle goes to that view's {@code .dlq} with the reason:
 * it is that view's failure alone (the other views of the record and of other products go on),
 * and a view that keeps failing is reported DEGRADED on {@code mesh.view.status} (see {@link ViewHealth}).
 * A filter costs at most the CEL evaluation budget per record, so no view holds up the task
 * it shares with other products' partitions.
 * A registry that does not answer is not the record's fault: the task fails instead, and the
 * record is processed again once the stream thread is replaced (exactly once, nothing lost).
 */
final class ViewProcessor implements Processor<byte[], byte[], byte[], ViewOutput> {

    private static final String TOMBSTONE = "a tombstone has no fields to filter or mask";

    private final RecordFraming framing;
    private final BiConsumer<String, String> ensureTopics;
    private final byte[] secret;
    private final MeterRegistry meters;
    private final Serializer<ViewStatus> statuses;
    /** How often the views of the product topics seen are looked up again in the catalog. */
    private static final Duration CATALOG_REFRESH = Duration.ofSeconds(1);
    /** How often view health held back by {@link ViewHealth#REPORT_EVERY_MS} is looked at again. */
    private static final Duration HEALTH_CHECK = Duration.ofSeconds(1);

    private final Map<String, ProductViews> plans = new HashMap<>();
    /** Per view, per writer schema instance (the framing gives one instance per schema). */
    private final Map<ProductView, Map<Schema, Compiled>> compiled = new HashMap<>();
    private final Map<Schema, ProductFields> writers = new IdentityHashMap<>();
    /** Per view topic: kept across catalog look-ups, so a view's failures in a row are counted across them. */
    private final Map<String, ViewHealth> health = new HashMap<>();
    private ProcessorContext<byte[], ViewOutput> context;
    private TimestampedKeyValueStore<String, DataProduct> catalog;

    /** A product topic's transformed views as the catalog said at the last look-up; no views, no address. */
    private record ProductViews(ProductAddress address, List<PlannedView> views) {
    }

    /**
     * A view with what every record needs resolved at each look-up rather than per record: its
     * topic, its counters, and its compiled forms by writer schema.
     */
    private record PlannedView(ProductView view, String topic, Map<Schema, Compiled> compiled, ViewHealth health,
                               Counter in, Counter filtered, Counter out, Counter deadLettered) {
    }

    /**
     * A view compiled for one writer schema of its product.
     *
     * @param filter the row filter, or null
     * @param filterReads positions of the fields the filter reads
     * @param records writes the view's records
     */
    private record Compiled(RecordExpression filter, int[] filterReads, ViewRecords records) {
    }

    ViewProcessor(RecordFraming framing, BiConsumer<String, String> ensureTopics, byte[] secret, MeterRegistry meters,
                  Serializer<ViewStatus> statuses) {
        this.framing = framing;
        this.ensureTopics = ensureTopics;
        this.secret = secret.clone();
        this.meters = meters;
        this.statuses = statuses;
    }

    @Override
    public void init(ProcessorContext<byte[], ViewOutput> context) {
        this.context = context;
        this.catalog = context.getStateStore(ViewTopology.GLOBAL_CATALOG);
        context.schedule(HEALTH_CHECK, PunctuationType.WALL_CLOCK_TIME,
                now -> health.values().forEach(view -> view.due(now).ifPresent(status -> report(status, now))));
        context.schedule(CATALOG_REFRESH, PunctuationType.WALL_CLOCK_TIME, now -> List.copyOf(plans.keySet()).forEach(this::plan));
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(m -> m.topic()).orElseThrow();
        ProductViews plan = plans.get(topic);
        if (plan == null) {
            plan = plan(topic);
        }
        if (plan.views().isEmpty()) {
            return;
        }
        ProductRecord value = null;
        String undecodable = null;
        try {
            value = record.value() == null ? null : locate(record.value());
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (RuntimeException e) {
            undecodable = "not decodable as the product's Avro: " + e.getMessage();
        }
        for (PlannedView view : plan.views()) {
            view.in().increment();
            if (value == null) {
                deadLetter(record, view, undecodable != null ? undecodable : TOMBSTONE,
                        undecodable != null ? "records are not decodable as the product's Avro" : TOMBSTONE);
                continue;
            }
            RuntimeException failure = null;
            try {
                Compiled compiledView = compile(plan.address(), view, value);
                if (compiledView.filter() != null && !compiledView.filter().test(value.with(compiledView.filterReads()))) {
                    view.filtered().increment();
                } else {
                    byte[] bytes = compiledView.records().write(value);
                    context.forward(new Record<>(record.key(), new ViewOutput(view.topic(), bytes), record.timestamp()));
                    view.out().increment();
                }
            } catch (SchemaRegistry.Unreachable e) {
                throw e;
            } catch (RuntimeException e) {
                failure = e;
            }
            // Outside the try: a status that cannot be written is the platform's failure, not this record's.
            if (failure != null) {
                deadLetter(record, view, failure.getMessage(), publicReason(failure, view));
            } else {
                view.health().passed(context.currentSystemTimeMs()).ifPresent(status -> report(status, record.timestamp()));
            }
        }
    }

    private void report(ViewStatus status, long timestamp) {
        byte[] key = MeshTopics.viewStatusKey(ProductAddress.parse(status.getAddress()), status.getView()).getBytes(StandardCharsets.UTF_8);
        context.forward(new Record<>(key, new ViewOutput(MeshTopics.VIEW_STATUS, statuses.serialize(MeshTopics.VIEW_STATUS, status)),
                timestamp));
    }

    /**
     * The transformed views of a product topic, as the catalog says now; looked up on the
     * topic's first record and then by the punctuation, as decoding the catalog entry for every
     * record would cost more than the view itself. Each view's topics are made sure of here,
     * before its first record.
     */
    private ProductViews plan(String topic) {
        ValueAndTimestamp<DataProduct> entry = catalog.get(topic);
        List<ProductView> transformed = entry == null || entry.value().getStatus() == ProductStatus.RETIRED ? List.of()
                : entry.value().getRegistration().getViews().stream().filter(v -> v.getFilter() != null || !v.getMasks().isEmpty()).toList();
        ProductAddress address = transformed.isEmpty() ? null : ProductAddress.parse(topic);
        List<PlannedView> planned = transformed.stream().map(view -> {
            String viewTopic = address.viewTopic(view.getName());
            ensureTopics.accept(topic, viewTopic);
            return new PlannedView(view, viewTopic, compiled.computeIfAbsent(view, v -> new IdentityHashMap<>()),
                    health.computeIfAbsent(viewTopic, t -> new ViewHealth(address, view.getName())),
                    counter(viewTopic, "in"), counter(viewTopic, "filtered"), counter(viewTopic, "out"), counter(viewTopic, "dead-lettered"));
        }).toList();
        ProductViews plan = new ProductViews(address, planned);
        plans.put(topic, plan);
        compiled.keySet().retainAll(plans.values().stream().flatMap(p -> p.views().stream()).map(PlannedView::view).toList());
        health.keySet().retainAll(plans.values().stream().flatMap(p -> p.views().stream()).map(PlannedView::topic).toList());
        return plan;
    }

    private ProductRecord locate(byte[] bytes) {
        return writers.computeIfAbsent(framing.writer(bytes), ProductFields::new).locate(bytes, framing.bodyOffset());
    }

    /**
     * Cached by the view as the catalog states it and the writer schema: a change of either
     * compiles anew. (A get first: a computeIfAbsent would make its lambda for every record.)
     */
    private Compiled compile(ProductAddress address, PlannedView planned, ProductRecord product) {
        Compiled known = planned.compiled().get(product.schema());
        if (known == null) {
            known = compile(address, planned, product.schema());
            planned.compiled().put(product.schema(), known);
        }
        return known;
    }

    private Compiled compile(ProductAddress address, PlannedView planned, Schema writer) {
        ProductView view = planned.view();
        Map<String, Mask> masks = new LinkedHashMap<>();
        view.getMasks().forEach((field, mask) -> masks.put(field, Mask.parse(mask)));
        RecordExpression filter = view.getFilter() == null ? null : RecordExpression.compile(view.getFilter(), writer);
        Optional<Set<String>> reads = filter == null ? Optional.of(Set.of()) : filter.fields();
        int[] filterReads = writer.getFields().stream()
                .filter(field -> reads.map(names -> names.contains(field.name())).orElse(true))
                .mapToInt(Schema.Field::pos).toArray();
        Schema viewSchema = ViewSchemas.derive(writer, address.toString(), view.getName(), masks);
        return new Compiled(filter, filterReads, new ViewRecords(writer, viewSchema, masks,
                ViewRecords.productKey(secret, address.toString()), framing.header(planned.topic() + "-value", viewSchema)));
    }

    /**
     * Why a view fails, as every principal may read it on {@code mesh.view.status}: never a
     * record's values (a filter sees the record unmasked, and CEL's messages quote what it
     * evaluated), which stay on the view's dead-letter topic with each record.
     */
    private static String publicReason(RuntimeException failure, PlannedView view) {
        String message = String.valueOf(failure.getMessage());
        if (failure instanceof RecordExpression.ExpressionFailure && !message.contains("over the evaluation budget")) {
            return "the filter fails on records (each record's reason is on " + MeshTopics.deadLetter(view.topic()) + ")";
        }
        if (failure instanceof RecordExpression.ExpressionFailure || failure instanceof RecordExpression.InvalidExpressionException
                || failure instanceof RecordExpression.OverBudgetException) {
            // over budget, or the view's filter does not compile: the contract's text, no record's
            return message;
        }
        return "records cannot be written to the view (each record's reason is on " + MeshTopics.deadLetter(view.topic()) + ")";
    }

    private void deadLetter(Record<byte[], byte[]> record, PlannedView view, String reason, String publicReason) {
        var headers = new RecordHeaders();
        headers.add(DeadLetterHeaders.REASON, String.valueOf(reason).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.VIEW, view.topic().getBytes(StandardCharsets.UTF_8));
        context.forward(new Record<>(record.key(), new ViewOutput(MeshTopics.deadLetter(view.topic()), record.value()), record.timestamp(), headers));
        view.deadLettered().increment();
        view.health().failed(publicReason, context.currentSystemTimeMs()).ifPresent(status -> report(status, record.timestamp()));
    }

    /** The registry gives back the counter it has for these tags, so planning again reuses it. */
    private Counter counter(String view, String outcome) {
        return Counter.builder("mesh.view.records")
                .description("Records through the policy-enforcer's views").tag("view", view).tag("outcome", outcome)
                .register(meters);
    }
}
