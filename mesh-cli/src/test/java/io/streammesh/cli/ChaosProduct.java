package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.AccessClient;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.connector.ProductPublisher;
import io.streammesh.connector.contract.DataContracts;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.schema.DecisionKind;
import io.streammesh.schema.ProductAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The demo's order product in a domain of a chaos test's own, with its analytics view
 * ({@code country != 'DE'}), fed through its ingest topic as any client would, and counted on
 * every topic it reaches. Record {@code i} is keyed {@code o-i}; every tenth breaks the
 * positive-amount rule (dead letter), and one in five of the others ships to DE (not in the view).
 */
final class ChaosProduct {

    private final EmbeddedMesh mesh;
    private final MeshClientConfig domain;
    private final ProductAddress address;

    private ChaosProduct(EmbeddedMesh mesh, MeshClientConfig domain, ProductAddress address) {
        this.mesh = mesh;
        this.domain = domain;
        this.address = address;
    }

    /**
     * Onboards the domain, publishes the product, and waits until the catalog admitted it and the
     * policy-enforcer let the domain write its ingest topic (so catalog and enforcer must run).
     */
    static ChaosProduct publish(EmbeddedMesh mesh, String domainName, Path dir) throws Exception {
        mesh.onboarding().addDomain(domainName);
        Path examples = Path.of("..", "examples", "orders");
        Files.copy(examples.resolve("order-placed.avsc"), dir.resolve("order-placed.avsc"));
        Path contract = Files.writeString(dir.resolve(domainName + ".yaml"), Files.readString(examples.resolve("order-placed.yaml"))
                .replace("domain: orders", "domain: " + domainName).replace("User:orders", "User:" + domainName)
                .replace("lineage: {inputs: [customers.customer-profile.v1]}", ""));
        MeshClientConfig domain = mesh.clientConfig(domainName);
        try (var publisher = ProductPublisher.connect(domain)) {
            publisher.publish(DataContracts.load(contract));
        }
        var product = new ChaosProduct(mesh, domain, ProductAddress.parse(domainName + ".order-placed.v1"));
        await().atMost(Duration.ofSeconds(60)).until(product::ingestWritable);
        return product;
    }

    ProductAddress address() {
        return address;
    }

    /**
     * Publishes version 1.1.0 of the product with one more view, of the records shipped to DE
     * (the contract {@link #publish} wrote to {@code dir}, and its schema, are read again).
     *
     * @return the new view's topic
     */
    String publishWithGermanView(Path dir) throws Exception {
        String view = "germany";
        String contract = Files.readString(dir.resolve(address.domain() + ".yaml")).replace("version: 1.0.0", "version: 1.1.0")
                .replace("views:\n", "views:\n  - {name: " + view + ", filter: \"record.country == 'DE'\", access: owner-approval}\n");
        Path next = Files.writeString(dir.resolve(address.domain() + "-1.1.0.yaml"), contract);
        try (var publisher = ProductPublisher.connect(domain)) {
            publisher.publish(DataContracts.load(next));
        }
        return address.viewTopic(view);
    }

    String view() {
        return address.viewTopic("analytics");
    }

    /**
     * Sends records {@code from} (inclusive) to {@code to} to the ingest topic, idempotent with
     * {@code acks=all}, and waits for every acknowledgement.
     *
     * @return how many the brokers acknowledged (all of them, or this throws)
     */
    int produce(int from, int to) throws Exception {
        var props = domain.kafka();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                sent.add(producer.send(new ProducerRecord<>(address.ingestTopic(), key(i), json(i).getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        for (Future<RecordMetadata> ack : sent) {
            ack.get();
        }
        return sent.size();
    }

    /**
     * The chaos suite's app fault mid-stream: sends records 0 to {@code 2 * batch}, waits until
     * more than half a batch reached {@code watched}, kills {@code doomed} ({@code kill -9}), then
     * sends records up to {@code 3 * batch}.
     *
     * @return how many records the brokers acknowledged
     */
    int killMidStream(Process doomed, String watched, int batch) throws Exception {
        int acknowledged = produce(0, 2 * batch);
        await().atMost(Duration.ofSeconds(60)).until(() -> endOffsets(watched) > batch / 2);
        ChaosApps.kill(doomed);
        return acknowledged + produce(2 * batch, 3 * batch);
    }

    /** What a chaos test found on the product, its dead-letter topic and its view. */
    record Checked(int product, int deadLetters, int view) {
        @Override
        public String toString() {
            return "product " + product + ", dead letters " + deadLetters + ", view " + view + ", each exactly once";
        }
    }

    /**
     * The chaos suite's check after a fault: each of the first {@code acknowledged} records is in
     * the product or its DLQ exactly once, and the view holds exactly those its filter lets
     * through, once each (committed records, read to the end of every partition).
     *
     * @return the numbers checked
     */
    Checked checkExactlyOnce(int acknowledged) {
        Map<String, Integer> products = exactlyOnce(address.topic(), accepted(acknowledged));
        Map<String, Integer> dead = exactlyOnce(address.deadLetterTopic(), deadLettered(acknowledged));
        Map<String, Integer> inView = exactlyOnce(view(), inView(acknowledged));
        return new Checked(products.size(), dead.size(), inView.size());
    }

    private Map<String, Integer> exactlyOnce(String topic, Set<String> expected) {
        Map<String, Integer> copies = committedCopies(topic, expected);
        assertThat(copies.keySet()).as("the records in %s", topic).isEqualTo(expected);
        assertThat(copies.values()).as("each once in %s", topic).containsOnly(1);
        return copies;
    }

    /** @return the keys of records {@code 0..n} the gate accepts */
    static Set<String> accepted(int n) {
        return keys(n, i -> !rejected(i));
    }

    /** @return the keys of records {@code 0..n} the gate dead-letters */
    static Set<String> deadLettered(int n) {
        return keys(n, ChaosProduct::rejected);
    }

    /** @return the keys of records {@code 0..n} the analytics view holds */
    static Set<String> inView(int n) {
        return keys(n, i -> !rejected(i) && !german(i));
    }

    /**
     * Every committed record of the topic, counted by key: read until every expected key came,
     * then on to the end of every partition, so that a duplicate after them is counted too.
     */
    Map<String, Integer> committedCopies(String topic, Set<String> expected) {
        var props = mesh.clientConfig("mesh-admin").kafka();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-reader-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> seen = new HashMap<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                    return seen.keySet().containsAll(expected);
                });
            } catch (ConditionTimeoutException e) {
                Set<String> missing = new TreeSet<>(expected);
                missing.removeAll(seen.keySet());
                throw new AssertionError(topic + ": " + missing.size() + " of " + expected.size() + " expected keys missing after 120 s "
                        + "(first " + missing.stream().limit(5).toList() + "); read positions " + positions(consumer)
                        + ", end offsets " + consumer.endOffsets(consumer.assignment()), e);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.merge(r.key(), 1, Integer::sum));
                return ends.entrySet().stream().allMatch(end -> consumer.position(end.getKey()) >= end.getValue());
            });
        }
        return seen;
    }

    private static Map<TopicPartition, Long> positions(KafkaConsumer<?, ?> consumer) {
        return consumer.assignment().stream().collect(Collectors.toMap(p -> p, consumer::position));
    }

    /** @return the sum of the topic's end offsets (records and transaction markers) */
    long endOffsets(String topic) {
        try (var consumer = new KafkaConsumer<>(mesh.clientConfig("mesh-admin").kafka(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** @return the broker leading most of the product's partitions */
    int leadingBroker() throws Exception {
        return productPartitions().partitions().stream()
                .collect(Collectors.groupingBy(p -> p.leader().id(), Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /** @return the brokers in sync for each of the product's partitions */
    List<Set<Integer>> inSyncReplicas() throws Exception {
        return inSyncReplicas(address.topic());
    }

    /** @return the brokers in sync for each partition of one of the product's topics (its view's, say) */
    List<Set<Integer>> inSyncReplicas(String topic) throws Exception {
        return partitions(topic).partitions().stream()
                .map(p -> p.isr().stream().map(Node::id).collect(Collectors.toCollection(TreeSet::new)))
                .map(set -> (Set<Integer>) set).toList();
    }

    private TopicDescription productPartitions() throws Exception {
        return partitions(address.topic());
    }

    private TopicDescription partitions(String topic) throws Exception {
        return mesh.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /**
     * Onboards a team and files its request for the analytics view, read with a group named as
     * the team, and waits until the catalog answering at {@code catalog} has it PENDING.
     *
     * @return the request's id
     */
    String requestAnalytics(String team, CatalogClient catalog) {
        mesh.onboarding().addDomain(team);
        String request;
        try (var client = new AccessClient(mesh.clientConfig(team))) {
            request = client.request(address, "analytics", null, team, "chaos test", Duration.ofDays(1));
        }
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> catalog.get("/api/access/requests/" + request).path("status").asText().equals("PENDING"));
        return request;
    }

    /** The owning domain decides a request (or revokes its grant). */
    void decide(String request, DecisionKind decision) {
        try (var owner = new AccessClient(domain)) {
            owner.decide(address.domain(), request, decision, "chaos test", null);
        }
    }

    /** Two teams' grants of the analytics view, decided before a fault: one approved, one approved and then revoked. */
    record Decided(String kept, String revoked) {
        @Override
        public String toString() {
            return kept + "'s grant enforced, " + revoked + "'s revocation enforced";
        }
    }

    /**
     * Files two teams' requests for the analytics view at the catalog answering at {@code catalogUrl};
     * the owner approves both and revokes the second, and each decision is waited for on the broker.
     *
     * @return the two teams
     */
    Decided decideGrants(String catalogUrl) throws Exception {
        var catalog = new CatalogClient(catalogUrl, domain);
        var decided = new Decided(address.domain() + "-kept", address.domain() + "-revoked");
        String kept = requestAnalytics(decided.kept(), catalog);
        String revoked = requestAnalytics(decided.revoked(), catalog);
        decide(kept, DecisionKind.APPROVED);
        decide(revoked, DecisionKind.APPROVED);
        await().atMost(Duration.ofSeconds(60)).until(() -> viewReadableBy(decided.kept()) && viewReadableBy(decided.revoked()));
        decide(revoked, DecisionKind.REVOKED);
        await().atMost(Duration.ofSeconds(60)).until(() -> !viewReadableBy(decided.revoked()));
        return decided;
    }

    /**
     * Asserts the broker holds the kept grant's READ ACL and not the revoked one's, and goes on
     * doing so for longer than the enforcer takes between two full reconciliations (one of which
     * could restore or remove either).
     */
    void assertEnforced(Decided decided) {
        await().during(GrantEnforcer.RECONCILE_INTERVAL.plusSeconds(5)).atMost(GrantEnforcer.RECONCILE_INTERVAL.plusSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> viewReadableBy(decided.kept()) && !viewReadableBy(decided.revoked()));
    }

    /** @return whether the broker holds the ACL that lets {@code team} read the analytics view */
    boolean viewReadableBy(String team) throws Exception {
        var filter = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, view(), PatternType.LITERAL),
                new AccessControlEntryFilter("User:" + team, null, AclOperation.READ, AclPermissionType.ALLOW));
        return !mesh.admin().describeAcls(filter).values().get().isEmpty();
    }

    private boolean ingestWritable() throws Exception {
        var filter = new AclBindingFilter(new ResourcePatternFilter(ResourceType.TOPIC, address.ingestTopic(), PatternType.LITERAL),
                new AccessControlEntryFilter("User:" + address.domain(), null, AclOperation.WRITE, AclPermissionType.ALLOW));
        return !mesh.admin().describeAcls(filter).values().get().isEmpty();
    }

    private static boolean rejected(int i) {
        return i % 10 == 0;
    }

    private static boolean german(int i) {
        return i % 5 == 1;
    }

    private static Set<String> keys(int n, IntPredicate which) {
        return IntStream.range(0, n).filter(which).mapToObj(ChaosProduct::key).collect(Collectors.toSet());
    }

    private static String key(int i) {
        return "o-" + i;
    }

    private static String json(int i) {
        return """
                {"orderId": "%s", "customerId": "c-%d", "customerEmail": "c%d@example.com", "shippingAddress": "%d Chaos Road",
                 "country": "%s", "amount": %s, "currency": "EUR", "items": 1, "placedAt": "2026-12-01T09:00:00Z"}"""
                .formatted(key(i), i % 100, i % 100, i, german(i) ? "DE" : "FR", rejected(i) ? "-1" : "12.5");
    }
}
