package io.streammesh.audit;

import io.streammesh.client.PlatformApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.RecordSerdes;
import io.streammesh.schema.AccessDecision;
import io.streammesh.schema.AccessRequest;
import io.streammesh.schema.AuditEvent;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.ConsumerOffsets;
import io.streammesh.schema.Grant;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.Stores;

/**
 * The audit app's topology: every source of the audit ({@link ResendFilter} passing each of the
 * authorizer's events once) → {@link AuditEvents} → repartitioned by
 * principal exactly as {@code mesh.audit} is partitioned (four repartition topics: one for the
 * fixed sources, one per pattern source) → {@link ChainProcessor} →
 * {@code mesh.audit}. Sources: the broker's authorisations and catalog reads
 * ({@code mesh.audit.raw}), the consumption ledger's observed offsets (through
 * {@link ConsumptionProcessor}), access requests (on the requester's own topic), owners' decisions, grants, registrations and
 * rejections.
 */
public final class AuditTopology {

    /** Observed committed offsets, written by the consumption ledger. */
    public static final String CONSUMPTION_TOPIC = PlatformApp.AUDIT.applicationId() + ".consumption";
    /** Partition of mesh.audit → the hash of its last event. */
    static final String CHAIN_STORE = "chain-heads";
    /** group|topic|partition → last committed offset seen. */
    static final String CONSUMPTION_STORE = "committed-offsets";
    /** Authorizer source and principal → the sequence numbers of its events that came ({@link ResendFilter}). */
    static final String ARRIVED_STORE = "authorizations-arrived";

    /** The producer's default partitioning of a text key, stated here so the chain can rely on it. */
    static final StreamPartitioner<String, AuditEvent> BY_PRINCIPAL = (topic, key, value, partitions) ->
            Optional.of(Set.of(Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions));

    private AuditTopology() {
    }

    /**
     * @param config the app's config (partitions of mesh.audit)
     * @param serdes the serdes of the mesh's records
     * @return the topology
     */
    public static Topology build(AuditConfig config, RecordSerdes serdes) {
        return build(config, serdes, new AuditMeters(new SimpleMeterRegistry()));
    }

    /**
     * @param config the app's config (partitions of mesh.audit)
     * @param serdes the serdes of the mesh's records
     * @param meters where the sealed events are counted
     * @return the topology
     */
    static Topology build(AuditConfig config, RecordSerdes serdes, AuditMeters meters) {
        var builder = new StreamsBuilder();
        Serde<AuditEvent> audit = serdes.of(AuditEvent.class);
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONSUMPTION_STORE), Serdes.String(), Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHAIN_STORE), Serdes.Integer(), Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(ARRIVED_STORE), Serdes.String(), Serdes.String()));

        KStream<String, AuditEvent> authorizations = source(builder, MeshTopics.AUDIT_RAW, serdes, AuthorizationEvent.class)
                .processValues(() -> new ResendFilter(ARRIVED_STORE), ARRIVED_STORE)
                .flatMapValues(raw -> AuditEvents.of(raw));
        KStream<String, AuditEvent> consumption = source(builder, CONSUMPTION_TOPIC, serdes, ConsumerOffsets.class)
                .process(() -> new ConsumptionProcessor(CONSUMPTION_STORE), CONSUMPTION_STORE);
        ProductConsumers.sum(consumption, serdes);
        KStream<String, AuditEvent> requests = only(builder.stream(MeshTopics.ACCESS_REQUEST_TOPICS, anyRecord(serdes, AccessRequest.class)),
                AccessRequest.class)
                .processValues(() -> new WithRecordContext<>((request, record) -> AuditEvents.of(request, record)));
        KStream<String, AuditEvent> decisions = only(builder.stream(MeshTopics.DECISION_TOPICS, anyRecord(serdes, AccessDecision.class)),
                AccessDecision.class)
                .processValues(() -> new WithRecordContext<>((decision, record) -> AuditEvents.of(decision, record)));
        KStream<String, AuditEvent> grants = source(builder, MeshTopics.ACCESS_GRANTS, serdes, Grant.class)
                .processValues(() -> new WithRecordContext<>((grant, record) -> AuditEvents.of(grant, record.time())));
        KStream<String, AuditEvent> registrations = only(builder.stream(MeshTopics.REGISTRATION_TOPICS, anyRecord(serdes, ProductRegistration.class)),
                ProductRegistration.class)
                .processValues(() -> new WithRecordContext<>((registration, record) ->
                        AuditEvents.of(registration, record.topic(), record.time())));
        KStream<String, AuditEvent> erasures = builder.stream(MeshTopics.ERASURE_TOPICS, Consumed.with(Serdes.String(), Serdes.String()))
                .processValues(() -> new WithRecordContext<String>((reason, record) -> AuditEvents.erasure(reason, record)));
        KStream<String, AuditEvent> rejections = source(builder, MeshTopics.CATALOG_REJECTIONS, serdes, Rejection.class)
                .mapValues(rejection -> AuditEvents.of(rejection));

        // A pattern source shares its sub-topology with no other source: Kafka Streams otherwise
        // fails a task when a new topic matches ("unknown to the topology"). So each goes through
        // its own repartition topic, all partitioned alike, and the chain reads the three.
        byPrincipal(authorizations.merge(consumption).merge(grants).merge(rejections), "by-principal", config, audit)
                .merge(byPrincipal(requests, "requests-by-principal", config, audit))
                .merge(byPrincipal(decisions, "decisions-by-principal", config, audit))
                .merge(byPrincipal(registrations, "registrations-by-principal", config, audit))
                .merge(byPrincipal(erasures, "erasures-by-principal", config, audit))
                .process(() -> new ChainProcessor(CHAIN_STORE), CHAIN_STORE)
                .peek((principal, event) -> meters.count(event))
                .to(MeshTopics.AUDIT, Produced.with(Serdes.String(), audit).withStreamPartitioner(BY_PRINCIPAL));
        return builder.build();
    }

    private static KStream<String, AuditEvent> byPrincipal(KStream<String, AuditEvent> events, String name, AuditConfig config,
                                                           Serde<AuditEvent> audit) {
        return events.selectKey((key, event) -> event.getPrincipal())
                .repartition(Repartitioned.<String, AuditEvent>with(Serdes.String(), audit)
                        .withName(name)
                        .withNumberOfPartitions(config.auditPartitions())
                        .withStreamPartitioner(BY_PRINCIPAL));
    }

    private static <T extends SpecificRecord> KStream<String, T> source(
            StreamsBuilder builder, String topic, RecordSerdes serdes, Class<T> type) {
        // Compacted topics carry tombstones; they are not accesses.
        return builder.stream(topic, Consumed.with(Serdes.String(), serdes.of(type))).filter((key, value) -> value != null);
    }

    /**
     * The serde of {@code type}, for a topic a client writes: the registry's deserializer gives
     * back whatever type the writer registered, so values are taken as any record and checked
     * by {@link #only} (a cast in a typed lambda would fail the stream thread on every retry).
     */
    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecord> Consumed<String, SpecificRecord> anyRecord(RecordSerdes serdes, Class<T> type) {
        return Consumed.with(Serdes.String(), (Serde<SpecificRecord>) (Serde<?>) serdes.of(type));
    }

    /** The values of the expected type; tombstones and other types are no accesses (the catalog audits the other types as rejections). */
    private static <T extends SpecificRecord> KStream<String, T> only(KStream<String, SpecificRecord> records, Class<T> type) {
        return records.filter((key, value) -> type.isInstance(value)).mapValues(type::cast);
    }

    /** Where a record came from and when, for sources whose payload does not say. */
    record Origin(String topic, Instant time, String key) {
    }

    /** Maps a value with its record's topic and timestamp. */
    private static final class WithRecordContext<V> implements FixedKeyProcessor<String, V, AuditEvent> {
        private final BiFunction<V, Origin, AuditEvent> mapping;
        private FixedKeyProcessorContext<String, AuditEvent> context;

        WithRecordContext(BiFunction<V, Origin, AuditEvent> mapping) {
            this.mapping = mapping;
        }

        @Override
        public void init(FixedKeyProcessorContext<String, AuditEvent> context) {
            this.context = context;
        }

        @Override
        public void process(FixedKeyRecord<String, V> record) {
            String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
            context.forward(record.withValue(mapping.apply(record.value(), new Origin(topic, Instant.ofEpochMilli(record.timestamp()), record.key()))));
        }
    }
}
