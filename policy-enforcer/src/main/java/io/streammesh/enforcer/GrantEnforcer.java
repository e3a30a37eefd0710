package io.streammesh.enforcer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.ProductTopicConfigs;
import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshSerdes;
import io.streammesh.client.PlatformApp;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns grants into broker ACLs, as principal {@code mesh-enforcer}: for every ACTIVE grant, READ
 * and DESCRIBE on its topic and READ on its consumer group; a REVOKED or EXPIRED grant's ACLs go
 * within seconds. It follows the grants' status and keeps no clock: catalog-stream decides
 * when a grant expires and writes it EXPIRED. For every ACTIVE product of the catalog it lets the
 * owning domain write the product's ingest topic ({@link IngestAcls}) once it has created the
 * product's topics ({@link ProductProvisioning}: only the platform creates them) and brought them
 * to the mesh's configs ({@link ProductTopicConfigs}), and takes that back when
 * the product is retired: the enforcer already holds ALTER on the cluster, a domain cannot grant
 * itself, and the gate needs no right to change ACLs. It keeps a ledger of the ACLs it created
 * ({@value #LEDGER_TOPIC}, compacted) and only ever deletes ACLs in it: ACLs a person made are
 * never touched. On start, and every {@link #RECONCILE_INTERVAL}, it reconciles: the ACLs it
 * manages are exactly those the ACTIVE grants and products say. Such a full reconciliation reads
 * the broker on a thread of its own, so that a grant or revocation is never kept waiting by it.
 */
public final class GrantEnforcer implements AutoCloseable {

    /** The ACLs the enforcer created: binding → grant id, a tombstone once deleted. */
    public static final String LEDGER_TOPIC = PlatformApp.ENFORCER.applicationId() + ".acl-ledger";
    /** How often the ACLs are checked against the grants even without a change. */
    public static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(30);
    /**
     * How long a full reconciliation takes a product's topics, once seen with their partitions and
     * the mesh's configs, to keep them. Only an operator (or a domain deleting its topics, which
     * the platform then creates again) can change them meanwhile, and at 6,000 topics describing them all took the
     * broker seconds of every 30.
     */
    static final Duration TOPICS_LOOKED_AT_AGAIN_AFTER = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(GrantEnforcer.class);
    private static final long TIMEOUT_SECONDS = 30;
    private static final int ACLS_PER_REQUEST = 200;
    /** What the ledger records as the owner of a product's ingest ACLs, before its address. */
    private static final String INGEST_OWNER = "product:";

    private final Admin admin;
    private final ProductProvisioning provisioning;
    private final KafkaConsumer<String, byte[]> grants;
    private final Deserializer<Grant> grantDeserializer;
    private final Deserializer<DataProduct> productDeserializer;
    private final KafkaProducer<String, String> ledger;
    private final Map<String, Grant> current = new HashMap<>();
    /** The ACTIVE grants whose consumer group is not their grantee's, named in the log once each. */
    private final Set<String> foreignGroupsWarned = new HashSet<>();
    private final Map<String, DataProduct> products = new HashMap<>();
    private final Map<String, String> managed = new HashMap<>();
    private final Duration fullReconcileEvery;
    /** Products changed since the last reconciliation, by address: the only ones whose topics a partial one looks at. */
    private final Set<String> changedProducts = new HashSet<>();
    /** The products whose topics had the mesh's configs at the last reconciliation that looked at them. */
    private Set<String> configured = Set.of();
    /**
     * When each product's topics were last seen with the mesh's configs (nanoTime), written by
     * both threads: a full reconciliation looks again only at those not seen for
     * {@link #TOPICS_LOOKED_AT_AGAIN_AFTER}.
     */
    private final Map<String, Long> configuredAt = new ConcurrentHashMap<>();
    /** Products changed since the full reconciliation in progress began reading the broker: its picture of them is old. */
    private final Set<String> changedSincePicture = new HashSet<>();
    /** ACLs a change created or deleted since then: the same. */
    private final Set<String> touchedSincePicture = new HashSet<>();
    /** Where a full reconciliation reads the broker, off the loop. */
    private final ExecutorService pictures;
    private Future<BrokerPicture> picture;
    private final Thread loop;
    private final GrantMeters meters;
    private final KafkaClientMetrics consumerMetrics;
    private volatile boolean running = true;

    private GrantEnforcer(MeshClientConfig clientConfig, MeterRegistry meters, Duration fullReconcileEvery) {
        this.fullReconcileEvery = fullReconcileEvery;
        var props = clientConfig.kafka();
        this.admin = Admin.create(props);
        this.provisioning = new ProductProvisioning(admin, TOPICS_LOOKED_AT_AGAIN_AFTER);
        var consumer = clientConfig.kafka();
        consumer.put("client.id", PlatformApp.ENFORCER.applicationId() + "-grants");
        consumer.put("isolation.level", "read_committed");
        this.grants = new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer());
        this.grantDeserializer = MeshSerdes.valueDeserializer(clientConfig, true);
        this.productDeserializer = MeshSerdes.valueDeserializer(clientConfig, true);
        var producer = clientConfig.kafka();
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, PlatformApp.ENFORCER.applicationId() + "-ledger");
        this.ledger = new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer());
        this.loop = new Thread(this::run, "mesh-enforcer-grants");
        loop.setDaemon(true);
        this.pictures = Executors.newSingleThreadExecutor(task -> {
            var thread = new Thread(task, "mesh-enforcer-full-reconciliation");
            thread.setDaemon(true);
            return thread;
        });
        this.meters = new GrantMeters(meters);
        this.consumerMetrics = new KafkaClientMetrics(grants);
        consumerMetrics.bindTo(meters);
    }

    /**
     * Reconciles the ACLs with the grants, then follows the grants until closed.
     *
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @return the running enforcer
     * @throws MeshException if the first reconciliation fails
     */
    public static GrantEnforcer start(MeshClientConfig clientConfig) {
        return start(clientConfig, new SimpleMeterRegistry());
    }

    /**
     * Reconciles the ACLs with the grants, then follows the grants until closed.
     *
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @param meters where the ACTIVE grants per product ({@code mesh.grants.active}), the managed ACLs and the
     *        grants consumer's Kafka metrics go
     * @return the running enforcer
     * @throws MeshException if the first reconciliation fails
     */
    public static GrantEnforcer start(MeshClientConfig clientConfig, MeterRegistry meters) {
        return start(clientConfig, meters, RECONCILE_INTERVAL);
    }

    /**
     * Reconciles the ACLs with the grants, then follows the grants until closed, reading
     * everything again every {@code fullReconcileEvery}.
     *
     * @param clientConfig the {@code mesh-enforcer} principal's client config
     * @param meters where its meters go
     * @param fullReconcileEvery how often it reads every ACL and every product's topics (the
     *        mesh: {@link #RECONCILE_INTERVAL}; a test of what each change alone does: longer)
     * @return the running enforcer
     * @throws MeshException if the first reconciliation fails
     */
    public static GrantEnforcer start(MeshClientConfig clientConfig, MeterRegistry meters, Duration fullReconcileEvery) {
        var enforcer = new GrantEnforcer(clientConfig, meters, fullReconcileEvery);
        try {
            enforcer.createLedger();
            enforcer.readLedger(clientConfig);
            enforcer.readGrantsToEnd();
            enforcer.changedProducts.clear();
            enforcer.changedSincePicture.clear();
            enforcer.reconcile(enforcer.readBroker(List.copyOf(enforcer.products.values())));
        } catch (RuntimeException e) {
            enforcer.closeClients();
            throw e;
        }
        enforcer.loop.start();
        return enforcer;
    }

    private void run() {
        long nextReconcile = System.nanoTime() + fullReconcileEvery.toNanos();
        while (running) {
            try {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> record : grants.poll(Duration.ofMillis(200))) {
                    changed |= apply(record);
                }
                if (changed) {
                    reconcile(null);
                }
                if (picture != null && picture.isDone()) {
                    BrokerPicture read = takePicture();
                    if (read != null) {
                        reconcile(read);
                    }
                    nextReconcile = System.nanoTime() + (read != null ? fullReconcileEvery : Duration.ofSeconds(1)).toNanos();
                } else if (picture == null && System.nanoTime() > nextReconcile) {
                    changedSincePicture.clear();
                    touchedSincePicture.clear();
                    List<DataProduct> looked = List.copyOf(products.values());
                    picture = pictures.submit(() -> readBroker(looked));
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("policy-enforcer could not apply the grants' ACLs; retrying: {}", e.getMessage(), e);
                // what failed half-way is found by reading everything again
                nextReconcile = System.nanoTime();
                sleepQuietly();
            }
        }
    }

    /** @return the picture the full reconciliation read, or null (logged) if it could not read one */
    private BrokerPicture takePicture() {
        try {
            return picture.get();
        } catch (ExecutionException e) {
            LOG.error("policy-enforcer could not read the broker's ACLs and topics for a full reconciliation; retrying: {}",
                    e.getCause().getMessage(), e.getCause());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WakeupException();
        } finally {
            picture = null;
        }
    }

    /** @return whether the grant or product changed what the ACLs should be */
    private boolean apply(ConsumerRecord<String, byte[]> record) {
        if (MeshTopics.CATALOG.equals(record.topic())) {
            return applyProduct(record);
        }
        if (record.value() == null) {
            return current.remove(record.key()) != null;
        }
        try {
            Grant grant = grantDeserializer.deserialize(record.topic(), record.value());
            current.put(grant.getGrantId(), grant);
            return true;
        } catch (RuntimeException e) {
            LOG.error("Skipping {}-{}@{}: not a Grant ({})", record.topic(), record.partition(), record.offset(), e.getMessage());
            return false;
        }
    }

    private boolean applyProduct(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            changedProducts.add(record.key());
            changedSincePicture.add(record.key());
            return products.remove(record.key()) != null;
        }
        try {
            DataProduct product = productDeserializer.deserialize(record.topic(), record.value());
            if (!ProductAddress.isValid(product.getAddress())) {
                LOG.error("Skipping {}-{}@{}: catalog entry with an invalid address '{}'", record.topic(), record.partition(),
                        record.offset(), product.getAddress());
                return false;
            }
            products.put(product.getAddress(), product);
            changedProducts.add(product.getAddress());
            changedSincePicture.add(product.getAddress());
            return true;
        } catch (RuntimeException e) {
            LOG.error("Skipping {}-{}@{}: not a DataProduct ({})", record.topic(), record.partition(), record.offset(), e.getMessage());
            return false;
        }
    }

    /**
     * Makes the ACLs it manages exactly what the ACTIVE grants and products say. Whether a grant has expired
     * is the catalog's decision alone (it writes the grant EXPIRED, on its clock): the ACLs
     * follow the status everyone else sees, never a second clock here.
     *
     * <p>A full reconciliation (at start and every {@link #RECONCILE_INTERVAL}) compares with a
     * picture of every ACL of the broker and of the products' topics not seen right for
     * {@link #TOPICS_LOOKED_AT_AGAIN_AFTER}, and so repairs what anyone else changed (an ACL
     * within 30 s, a topic's partitions or configs within minutes). The picture is read on a
     * thread of its own ({@link #readBroker}): at 2,000 products and 20,000 grants reading it
     * takes seconds, and a decision waiting for it took as long. Changes go on meanwhile, so the picture is old for what they touched: those products
     * and ACLs are left to the changes. One that follows a change looks only at the products that
     * changed and at the ACLs that should be created or deleted.
     *
     * @param picture what a full reconciliation read, or null for one that follows a change
     */
    private void reconcile(BrokerPicture picture) {
        boolean full = picture != null;
        Map<String, String> desired = new HashMap<>();
        for (Grant grant : current.values()) {
            if (grant.getStatus() == GrantStatus.ACTIVE) {
                GrantAcls.of(grant).forEach(binding -> desired.putIfAbsent(GrantAcls.key(binding), grant.getGrantId()));
                if (!GrantAcls.ownGroup(grant) && foreignGroupsWarned.add(grant.getGrantId())) {
                    LOG.warn("Grant {} of {} names consumer group '{}', which is not its own (granted before the catalog's consumer-group "
                            + "rule): its topic is granted, the group is not; it reads with a group of its own once it asks again",
                            grant.getGrantId(), grant.getPrincipal(), grant.getConsumerGroup());
                }
            }
        }
        Set<String> configuredNow;
        if (full) {
            configuredNow = new HashSet<>(picture.configured());
            // those it did not look at keep what the last look found
            configured.stream().filter(address -> !picture.checked().contains(address)).forEach(configuredNow::add);
            configuredNow.removeIf(changedSincePicture::contains);
            configured.stream().filter(changedSincePicture::contains).forEach(configuredNow::add);
        } else {
            List<DataProduct> looked = changedProducts.stream().map(products::get).filter(Objects::nonNull).toList();
            Set<String> created = provisioning.provision(looked);
            configuredNow = configureProductTopics(looked.stream().filter(product -> !created.contains(product.getAddress())).toList());
            configuredNow.addAll(created);
            configured.stream().filter(address -> !changedProducts.contains(address)).forEach(configuredNow::add);
            changedProducts.clear();
        }
        configuredNow.retainAll(products.keySet());
        configured = configuredNow;
        for (DataProduct product : products.values()) {
            // A product whose topics may not have the mesh's configs yet gets no new ingest WRITE,
            // but keeps one it had: its topics were the mesh's then, and its domain cannot change them.
            IngestAcls.of(product).stream().map(GrantAcls::key)
                    .filter(key -> configured.contains(product.getAddress()) || managed.containsKey(key))
                    .forEach(key -> desired.putIfAbsent(key, INGEST_OWNER + product.getAddress()));
        }
        // Deleting what is gone does nothing, so what it manages and no longer wants goes without reading the broker first.
        List<String> stale = managed.keySet().stream().filter(key -> !desired.containsKey(key)).toList();
        if (!stale.isEmpty()) {
            for (List<String> batch : batches(stale)) {
                KafkaCalls.await(admin.deleteAcls(batch.stream().map(key -> GrantAcls.fromKey(key).toFilter()).toList()).all(),
                        "delete the ACLs of ended grants and retired products");
            }
            stale.forEach(key -> {
                ledger.send(new ProducerRecord<>(LEDGER_TOPIC, key, null));
                managed.remove(key);
                touchedSincePicture.add(key);
            });
            LOG.info("Removed {} ACL(s) of ended grants and retired products", stale.size());
        }
        List<String> missing;
        if (full) {
            missing = desired.keySet().stream().filter(key -> !picture.acls().contains(key) && !touchedSincePicture.contains(key)).toList();
        } else {
            // what it manages is there (a full reconciliation finds out); the broker is asked about the rest
            List<String> unmanaged = desired.keySet().stream().filter(key -> !managed.containsKey(key)).toList();
            Set<String> existing = existingOf(unmanaged);
            missing = unmanaged.stream().filter(key -> !existing.contains(key)).toList();
        }
        if (!missing.isEmpty()) {
            for (List<String> batch : batches(missing)) {
                // The ledger first: an ACL created and then not recorded (a failed batch, a crash)
                // would be nobody's, and outlive its grant. One recorded and not created is found
                // missing by the next full reconciliation and created then.
                batch.forEach(key -> {
                    ledger.send(new ProducerRecord<>(LEDGER_TOPIC, key, desired.get(key)));
                    managed.put(key, desired.get(key));
                    touchedSincePicture.add(key);
                });
                ledger.flush();
                KafkaCalls.await(admin.createAcls(batch.stream().map(GrantAcls::fromKey).toList()).all(),
                        "create the ACLs of active grants and products");
            }
            LOG.info("Created {} ACL(s) for active grants and products", missing.size());
        }
        ledger.flush();
        meters.record(current.values(), products.keySet(), managed.size());
    }

    /**
     * What a full reconciliation compares with, read from the broker.
     *
     * @param acls every ACL binding of the broker, as {@link GrantAcls#key} keys
     * @param checked the addresses of the products whose topics' configs it looked at, or whose topics it created
     * @param configured those of them whose three topics have the mesh's configs
     */
    private record BrokerPicture(Set<String> acls, Set<String> checked, Set<String> configured) {
    }

    /**
     * Creates the products' missing topics, brings the others to the registrations' partitions and the mesh's configs
     * (what it alters is exactly what the products say, whenever it runs), then reads every ACL.
     */
    private BrokerPicture readBroker(Collection<DataProduct> looked) {
        long started = System.nanoTime();
        Set<String> created = provisioning.provision(looked);
        long widened = System.nanoTime();
        long due = widened - TOPICS_LOOKED_AT_AGAIN_AFTER.toNanos();
        List<DataProduct> unchecked = looked.stream().filter(product -> !created.contains(product.getAddress())
                && configuredAt.getOrDefault(product.getAddress(), due) <= due).toList();
        Set<String> configuredNow = configureProductTopics(unchecked);
        configuredNow.addAll(created);
        long configsRead = System.nanoTime();
        Set<String> acls = allAcls();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        meters.fullReconciliation(took);
        if (took.compareTo(Duration.ofSeconds(2)) > 0) {
            LOG.info("A full reconciliation read the broker in {} ms: {} product(s)' partitions in {} ms, the configs of {} product(s)' topics in {} ms, {} ACL(s) in {} ms",
                    took.toMillis(), looked.size(), (widened - started) / 1_000_000, unchecked.size(), (configsRead - widened) / 1_000_000,
                    acls.size(), (System.nanoTime() - configsRead) / 1_000_000);
        }
        Set<String> checked = unchecked.stream().map(DataProduct::getAddress).collect(Collectors.toSet());
        checked.addAll(created);
        return new BrokerPicture(acls, checked, configuredNow);
    }

    /**
     * The bindings in requests of at most {@link #ACLS_PER_REQUEST}: the broker answers a
     * CreateAcls request by looking each result's binding up in the request's list, so one
     * request of n bindings costs it n² comparisons (in a benchmark approving 2,000 grants at
     * once, the broker thread doing it used more CPU than any other thread of broker and apps).
     */
    private static <T> List<List<T>> batches(List<T> bindings) {
        List<List<T>> batches = new ArrayList<>();
        for (int from = 0; from < bindings.size(); from += ACLS_PER_REQUEST) {
            batches.add(bindings.subList(from, Math.min(bindings.size(), from + ACLS_PER_REQUEST)));
        }
        return batches;
    }

    private Set<String> allAcls() {
        Set<String> existing = new HashSet<>();
        for (AclBinding binding : KafkaCalls.await(admin.describeAcls(AclBindingFilter.ANY).values(), "read the broker's ACLs")) {
            existing.add(GrantAcls.key(binding));
        }
        return existing;
    }

    /** @return those of the keys whose ACL the broker has, each asked for alone (the authorizer finds one by its resource) */
    private Set<String> existingOf(List<String> keys) {
        Map<String, KafkaFuture<Collection<AclBinding>>> asked = new HashMap<>();
        keys.forEach(key -> asked.put(key, admin.describeAcls(GrantAcls.fromKey(key).toFilter()).values()));
        Set<String> existing = new HashSet<>();
        asked.forEach((key, found) -> {
            if (!KafkaCalls.await(found, "read the broker's ACL " + key).isEmpty()) {
                existing.add(key);
            }
        });
        return existing;
    }

    /**
     * Brings the topics of the ACTIVE products among {@code looked} to the mesh's configs
     * ({@link ProductTopicConfigs}), changing only what differs.
     *
     * @param looked the products to look at
     * @return the addresses of those whose three topics now have them (and when, in
     *         {@link #configuredAt}); a product that failed is logged and tried again when it
     *         changes or at the next full reconciliation
     */
    private Set<String> configureProductTopics(Collection<DataProduct> looked) {
        Map<ConfigResource, Map<String, String>> owned = new HashMap<>();
        Map<ConfigResource, String> productOf = new HashMap<>();
        for (DataProduct product : looked) {
            if (product.getStatus() == ProductStatus.ACTIVE) {
                ProductTopicConfigs.of(product.getRegistration()).forEach((topic, configs) -> {
                    var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                    owned.put(resource, configs);
                    productOf.put(resource, product.getAddress());
                });
            }
        }
        Set<String> failed = new HashSet<>();
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        if (!owned.isEmpty()) {
            admin.describeConfigs(owned.keySet()).values().forEach((resource, config) -> {
                try {
                    var ops = ProductTopicConfigs.changes(owned.get(resource), KafkaCalls.await(config, "read the config of topic " + resource.name()));
                    if (!ops.isEmpty()) {
                        changes.put(resource, ops);
                    }
                } catch (MeshException e) {
                    failed.add(unconfigured(productOf.get(resource), e));
                }
            });
        }
        if (!changes.isEmpty()) {
            admin.incrementalAlterConfigs(changes).values().forEach((resource, done) -> {
                try {
                    KafkaCalls.await(done, "set the mesh's configs of topic " + resource.name());
                    LOG.info("Topic {} has the mesh's configs again: {}", resource.name(), changes.get(resource).stream()
                            .map(op -> op.opType() == AlterConfigOp.OpType.SET ? op.configEntry().name() + "=" + op.configEntry().value()
                                    : "-" + op.configEntry().name()).toList());
                } catch (MeshException e) {
                    failed.add(unconfigured(productOf.get(resource), e));
                }
            });
        }
        Set<String> configured = new HashSet<>(productOf.values());
        configured.removeAll(failed);
        long now = System.nanoTime();
        productOf.values().forEach(address -> {
            if (configured.contains(address)) {
                configuredAt.put(address, now);
            } else {
                configuredAt.remove(address);
            }
        });
        return configured;
    }

    private static String unconfigured(String address, MeshException e) {
        LOG.error("policy-enforcer could not give the topics of {} the mesh's configs, so its domain may not yet write its ingest topic; "
                + "retrying: {}", address, e.getMessage());
        return address;
    }

    private void createLedger() {
        KafkaCalls.createMissing(admin, List.of(new NewTopic(LEDGER_TOPIC, 1, (short) -1)
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    }

    private void readLedger(MeshClientConfig clientConfig) {
        var props = clientConfig.kafka();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            var partition = new TopicPartition(LEDGER_TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> {
                    if (record.value() == null) {
                        managed.remove(record.key());
                    } else {
                        managed.put(record.key(), record.value());
                    }
                });
            }
        }
    }

    private void readGrantsToEnd() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(MeshTopics.ACCESS_GRANTS, MeshTopics.CATALOG)) {
            grants.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        grants.assign(partitions);
        grants.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = grants.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> grants.position(p) < end.get(p))) {
            grants.poll(Duration.ofMillis(200)).forEach(this::apply);
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeClients() {
        pictures.shutdownNow();
        consumerMetrics.close();
        grants.close();
        ledger.close();
        admin.close();
    }

    @Override
    public void close() {
        running = false;
        grants.wakeup();
        try {
            loop.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeClients();
    }
}
