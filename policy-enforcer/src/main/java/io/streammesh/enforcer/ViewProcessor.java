package io.streammesh.enforcer;

import io.streammesh.schema.ProductFields;
import io.streammesh.schema.LocatedRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WaitingBudget;
import io.streammesh.schema.DataProduct;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductEncryption;
import io.streammesh.schema.ProductStatus;
import io.streammesh.schema.ProductView;
import io.streammesh.schema.ViewStatus;
import io.streammesh.schema.cel.RecordExpression;
import io.streammesh.schema.ViewSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One product record → each of its product's transformed views: the view's CEL filter, then its
 * masks, written with the view's schema to {@code mesh.view.<address>.<view>}. The record's
 * fields are located in its bytes once; a view decodes only the fields its filter reads and its
 * masks change, and copies the others byte for byte. The views come from
 * the catalog: looked up on a product topic's first record, then again by a wall-clock
 * punctuation every second; so new products and views are picked up, and retired ones stopped,
 * without a restart. A record of a product the catalog table does not hold yet (this instance's
 * copy of the catalog lags behind the gate, which writes only admitted products) is held like one
 * whose views are not prepared, so no instance leaves it out of a view; for at most
 * {@link #CATALOG_WAIT} and {@link #CATALOG_WAIT_RECORDS} records per topic, so a topic nobody
 * catalogues cannot fill the held store. A view's topics and schemas are prepared off the stream thread
 * ({@link ViewPreparation}): a record whose product has a view not prepared yet is held, with
 * every later record of its partition (so order holds), in a changelogged store, and the held
 * records are handled with the first record after a preparation finishes (or by the punctuation).
 * Holding and releasing are part
 * of the task's transaction, so a record is neither lost nor viewed twice. A record a view cannot handle goes to that view's {@code .dlq} with the reason:
 * it is that view's failure alone (the other views of the record and of other products go on),
 * and a view that keeps failing is reported DEGRADED on {@code mesh.view.status} (see {@link ViewHealth}).
 * A filter costs at most the CEL evaluation budget per record, so no view holds up the task
 * it shares with other products' partitions.
 * An encrypted product's record whose subject's keys are not at hand yet waits the same way, held
 * with the later records of its partition, while they are made ready on a thread of their own
 * ({@link PreparedKeys}): a domain whose key log or KMS is slow or out of reach holds up its own
 * records only. They wait up to {@link #KEY_WAIT_RECORDS} records and {@link #KEY_WAIT_BYTES} a
 * partition, and {@link #DOMAIN_KEY_WAIT_RECORDS} and {@link #DOMAIN_KEY_WAIT_BYTES} a domain
 * across the enforcer's tasks ({@link WaitingBudget}); past that, a record goes to each of its
 * views' dead-letter topics with the reason (as it is in the product: its encrypted fields
 * still encrypted), and so does every later record of its partition until none waits, so that no
 * record is viewed after one dead-lettered before it. The enforcer's tasks hold partition N of
 * every product: failing the task, or holding on, would stall every other domain's views.
 * A registry that does not answer is not the record's fault: the task fails instead, and the
 * record is processed again once the stream thread is replaced (exactly once, nothing lost).
 */
final class ViewProcessor implements Processor<byte[], byte[], byte[], ViewOutput> {

    private static final Logger LOG = LoggerFactory.getLogger(ViewProcessor.class);
    private static final String TOMBSTONE = "a tombstone has no fields to filter or mask";

    private final RecordFraming framing;
    private final ViewPreparation preparation;
    private final String heldStore;
    private final byte[] secret;
    private final PreparedKeys keys;
    private final WaitingBudget budget;
    private final MeterRegistry meters;
    private final Serializer<ViewStatus> statuses;
    /** How often the views of the product topics seen are looked up again in the catalog. */
    private static final Duration CATALOG_REFRESH = Duration.ofSeconds(1);
    /** How often view health held back by {@link ViewHealth#REPORT_EVERY_MS} is looked at again. */
    private static final Duration HEALTH_CHECK = Duration.ofSeconds(1);
    /**
     * How often records waiting for data keys are tried again, if keys were made ready since: within
     * moments of it, while the keys are at hand (a second after the read that made them so), even
     * when no record comes to try them, as the gate does.
     */
    private static final Duration KEYS_CHECK = Duration.ofMillis(20);

    private final Map<String, ProductViews> plans = new HashMap<>();
    /**
     * Per view of a product, per writer schema instance (the framing gives one instance per
     * schema). By the view's topic as well as its definition: two products' views alike in name,
     * filter and masks, over one schema, still differ in their hashing key and their schema's subject.
     */
    private final Map<ViewOf, Map<Schema, Compiled>> compiled = new HashMap<>();
    private final Map<Schema, ProductFields> writers = new IdentityHashMap<>();
    private Schema lastWriter;
    private ProductFields lastFields;
    /**
     * The plan and writer schema whose views were last found all compiled, with their topics: the
     * next records of that schema need not ask again while the plan stands (a look-up makes a new plan).
     */
    private ProductViews preparedPlan;
    private Schema preparedWriter;
    /** The view topics known to exist, with their dead-letter topics. */
    private final Set<String> viewsWithTopics = new HashSet<>();
    /** Per view topic: kept across catalog look-ups, so a view's failures in a row are counted across them. */
    private final Map<String, ViewHealth> health = new HashMap<>();
    /** Per product topic: when the catalog entry its plan follows was written, and the gauge that shows it. */
    private final Map<String, AtomicLong> plannedAt = new HashMap<>();
    private final List<Gauge> gauges = new ArrayList<>();
    private ProcessorContext<byte[], ViewOutput> context;
    private TimestampedKeyValueStore<String, DataProduct> catalog;
    /** Records held until their product's views are prepared, keyed {@code <topic>/<partition>/<offset, 19 digits>}. */
    private KeyValueStore<String, byte[]> held;
    /** The {@code <topic>/<partition>} with held records; a record of one is held behind them. */
    private final Map<String, Held> waiting = new HashMap<>();
    /** {@link ViewPreparation#progress()} when held records were last tried: they are tried again once it moves. */
    private long triedAtProgress = -1;
    /** {@link PreparedKeys#prepared()} when held records were last tried: likewise. */
    private long triedAtKeys = -1;
    /** The {@code <topic>/<partition>} whose first held record waits for its subject's data keys, with the domain whose keys they are. */
    private final Map<String, String> keyWaits = new HashMap<>();
    /**
     * Per held record (the store's key), the keys' read mark when it was first seen: a key it
     * needs that the keys held lack is looked for in a read that started after that, however
     * often it is tried. In memory: a record held before this instance's start was seen before
     * {@link #initSeenAt}, which stands for it.
     */
    private final Map<String, Long> heldSeenAt = new HashMap<>();
    private long initSeenAt;
    /** Set by {@link #handle} when it wrote nothing because the record's subject's keys are not at hand: their domain; else null. */
    private String waitsForKeysOf;
    /** Product topics whose records are held for want of a catalog entry: since when, how many held. */
    private final Map<String, CatalogWait> catalogWaits = new HashMap<>();

    /**
     * How long the records of a product topic the catalog table does not hold are held for it: long
     * enough for a table that lags behind the gate, and no longer, since a topic some other writer
     * fills on an operator's own cluster would never be catalogued and would fill the heap.
     */
    static final Duration CATALOG_WAIT = Duration.ofMinutes(5);
    /** And at most this many records of one such topic. */
    static final int CATALOG_WAIT_RECORDS = 10_000;
    /**
     * How many records of a partition may wait for their subjects' keys: enough for a KMS's or key
     * log's outage of minutes at a busy product's pace; more would be held in memory.
     */
    static final int KEY_WAIT_RECORDS = 10_000;
    /** And the most bytes they may take. */
    static final long KEY_WAIT_BYTES = 16L * 1024 * 1024;
    /**
     * How many records of one domain's products may be held in the enforcer, across its tasks, while
     * a partition of theirs waits for keys: a domain cannot get round {@link #KEY_WAIT_RECORDS} with
     * a product of many partitions or with many products.
     */
    static final int DOMAIN_KEY_WAIT_RECORDS = 25_000;
    /** And the most bytes they may take. */
    static final long DOMAIN_KEY_WAIT_BYTES = 40L * 1024 * 1024;
    /** After a partition and {@code /}, the store's key that marks it {@link Held#overflowed}: it sorts after every offset. */
    private static final String OVERFLOWED = "overflowed";

    /**
     * A partition's held records: their offsets in order (the store's keys, so a release reads each
     * record once: the in-memory store's iterators copy every key in their range), and what they take.
     */
    private static final class Held {
        /** The domain of the partition's product, whose budget its records take. */
        private final String domain;
        private final ArrayDeque<Long> offsets = new ArrayDeque<>();
        private long bytes;
        /**
         * Whether a record of the partition went to its views' dead-letter topics for want of room:
         * every later one does too until none is held, so that none is viewed after one dead-lettered before it.
         */
        private boolean overflowed;

        Held(String partition) {
            this.domain = ProductAddress.parse(parent(partition)).domain();
        }

        void add(long offset, long stored) {
            offsets.addLast(offset);
            bytes += stored;
        }
    }

    /** The wait for a product's catalog entry; once given up, its records are left out of views until the entry comes. */
    private static final class CatalogWait {
        private final long since;
        private int records;
        private boolean givenUp;

        CatalogWait(long since) {
            this.since = since;
        }
    }

    /**
     * A product topic's transformed views as the catalog said at the last look-up; no views, no address.
     *
     * @param catalogued whether the catalog has an entry for the product yet (the views' global table may lag behind)
     */
    private record ProductViews(String topic, boolean catalogued, ProductAddress address, List<PlannedView> views,
                                ProductEncryption encryption, Map<Schema, ProductDecryption> decryptions) {
    }

    /**
     * A view with what every record needs resolved at each look-up rather than per record: its
     * topic, its counters, and its compiled forms by writer schema.
     */
    private record PlannedView(ProductView view, String topic, Map<Schema, Compiled> compiled, ViewHealth health,
                               Counter in, Counter filtered, Counter out, Counter deadLettered) {
        /** @return the key of its compiled forms */
        ViewOf viewOf() {
            return new ViewOf(topic, view);
        }
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

    /**
     * @param keys the subjects' data keys, read-only ({@link PreparedKeys#reading}), for the products whose contract encrypts fields; null: none
     * @param budget what the held records take per domain, shared by all the enforcer's tasks' processors
     */
    ViewProcessor(RecordFraming framing, ViewPreparation preparation, String heldStore, byte[] secret, PreparedKeys keys,
                  WaitingBudget budget, MeterRegistry meters, Serializer<ViewStatus> statuses) {
        this.framing = framing;
        this.preparation = preparation;
        this.heldStore = heldStore;
        this.secret = secret.clone();
        this.keys = keys;
        this.budget = budget;
        this.meters = meters;
        this.statuses = statuses;
    }

    @Override
    public void init(ProcessorContext<byte[], ViewOutput> context) {
        this.context = context;
        this.catalog = context.getStateStore(ViewTopology.GLOBAL_CATALOG);
        this.held = context.getStateStore(heldStore);
        // Streams may init this same instance again (a task revived under exactly-once): the store is what is held.
        waiting.clear();
        keyWaits.clear();
        heldSeenAt.clear();
        initSeenAt = keys == null ? 0 : keys.readMark();
        triedAtProgress = -1;
        triedAtKeys = -1;
        try (var all = held.all()) {
            // in key order, so in offset order within a partition
            all.forEachRemaining(entry -> {
                Held partition = waiting.computeIfAbsent(parent(entry.key), Held::new);
                String last = entry.key.substring(entry.key.lastIndexOf('/') + 1);
                if (last.equals(OVERFLOWED)) {
                    partition.overflowed = true;
                } else {
                    partition.add(Long.parseLong(last), entry.value.length);
                }
            });
        }
        var usage = new HashMap<String, WaitingBudget.Usage>();
        waiting.values().forEach(partition -> usage.merge(partition.domain,
                new WaitingBudget.Usage(partition.offsets.size(), partition.bytes), WaitingBudget.Usage::plus));
        budget.restart(context.taskId(), this, usage);
        context.schedule(HEALTH_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> {
            // A view whose topics cannot be created holds its product's records: said where everyone looks, not only in a log.
            plans.values().forEach(plan -> plan.views().forEach(view -> preparation.topicsFailure(view.topic()).ifPresent(reason ->
                    view.health().failed("the view's topics cannot be created: " + reason, now).ifPresent(status -> report(status, now)))));
            health.values().forEach(view -> view.due(now).ifPresent(status -> report(status, now)));
        });
        context.schedule(KEYS_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (!keyWaits.isEmpty()) {
                releaseOnProgress();
            }
        });
        context.schedule(CATALOG_REFRESH, PunctuationType.WALL_CLOCK_TIME, now -> {
            List.copyOf(plans.keySet()).forEach(this::plan);
            List.copyOf(waiting.keySet()).forEach(this::release);
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata metadata = context.recordMetadata().orElseThrow();
        if (!waiting.isEmpty()) {
            releaseOnProgress();
        }
        long seenAt = keys == null ? 0 : keys.readMark();
        // The emptiness first: the partition's name is not built for every record.
        if (!waiting.isEmpty() && waiting.containsKey(partition(metadata)) || !handle(metadata.topic(), record, seenAt)) {
            String partition = partition(metadata);
            if (waitsForKeysOf != null) {
                keyWaits.put(partition, waitsForKeysOf);
                waitsForKeysOf = null;
            }
            hold(partition, metadata, record, seenAt);
        }
    }

    /**
     * Holds the record behind its partition's held records; or, if they wait for their domain's
     * data keys and there is no room for it (nor was there for an earlier one still behind them),
     * sends it to each of its views' dead-letter topics.
     */
    private void hold(String partition, RecordMetadata metadata, Record<byte[], byte[]> record, long seenAt) {
        Held partitionHeld = waiting.computeIfAbsent(partition, Held::new);
        if (partitionHeld.overflowed && partitionHeld.offsets.isEmpty()) {
            // restored so, with nothing held any more to keep the order of: the partition's records are held again
            held.delete(overflowedKey(partition));
            partitionHeld.overflowed = false;
        }
        byte[] stored = new HeldRecord(record.key(), record.value(), record.timestamp()).bytes();
        if (partitionHeld.overflowed || keyWaits.containsKey(partition)) {
            String full = noRoom(partitionHeld, metadata.partition(), stored.length);
            if (full != null) {
                // only records held before it would be viewed after it: none, and the partition's next records are viewed as they come
                if (!partitionHeld.overflowed && !partitionHeld.offsets.isEmpty()) {
                    partitionHeld.overflowed = true;
                    held.put(overflowedKey(partition), new byte[0]);
                }
                deadLetterAll(metadata.topic(), record, "the data keys of domain " + partitionHeld.domain + " cannot be made ready now, and "
                        + full + ": the record is in the product, not in this view");
                if (partitionHeld.offsets.isEmpty()) {
                    // nothing held before it: the partition's next record is handled as it comes
                    waiting.remove(partition);
                    keyWaits.remove(partition);
                }
                return;
            }
        } else {
            budget.add(context.taskId(), this, partitionHeld.domain, stored.length);
        }
        String key = heldKey(partition, metadata.offset());
        held.put(key, stored);
        heldSeenAt.put(key, seenAt);
        partitionHeld.add(metadata.offset(), stored.length);
        CatalogWait wait = catalogWaits.get(metadata.topic());
        if (wait != null) {
            wait.records++;
        }
    }

    /** @return why a record of a partition whose held records wait for keys cannot be held, or null: it may, and is counted in its domain's budget */
    private String noRoom(Held partitionHeld, int partition, int bytes) {
        if (partitionHeld.overflowed) {
            return "an earlier record of partition " + partition + " went to the view's dead letters while " + partitionHeld.offsets.size()
                    + " records (" + partitionHeld.bytes + " bytes) still wait before it";
        }
        if (partitionHeld.offsets.size() >= KEY_WAIT_RECORDS || partitionHeld.bytes + bytes > KEY_WAIT_BYTES) {
            return partitionHeld.offsets.size() + " records of partition " + partition + " (" + partitionHeld.bytes
                    + " bytes) already wait for them";
        }
        return budget.reserve(context.taskId(), this, partitionHeld.domain, bytes)
                .map(used -> used.records() + " records of domain " + partitionHeld.domain + "'s products (" + used.bytes()
                        + " bytes) already wait in this enforcer")
                .orElse(null);
    }

    /**
     * A record that cannot be held: to each of its product's views' dead-letter topics, as it is in
     * the product; a view whose topics are not there yet (added a moment ago) leaves it out, and says
     * so on its status, since a write to a topic not there would hold the stream thread up.
     */
    private void deadLetterAll(String topic, Record<byte[], byte[]> record, String reason) {
        // planned already, unless the partition was restored holding records and this is its first record since
        ProductViews plan = plans.get(topic);
        for (PlannedView view : (plan != null ? plan : plan(topic)).views()) {
            view.in().increment();
            if (topicsReady(topic, view.topic())) {
                deadLetter(record, view, reason, reason);
            } else {
                view.health().failed("records left out while the view's topics were being created: " + reason,
                        context.currentSystemTimeMs()).ifPresent(status -> report(status, record.timestamp()));
            }
        }
    }

    /**
     * Tries the held records again as soon as a view preparation has finished, not only at the
     * next punctuation: a product's first records are held while its views are prepared, and a
     * second's wait would hold a busy product's records by the hundred thousand.
     */
    private void releaseOnProgress() {
        // Read before trying: a preparation finishing meanwhile moves it again, so it is not missed.
        long progress = preparation.progress();
        long keysProgress = keys == null ? -1 : keys.prepared();
        if (progress != triedAtProgress || keysProgress != triedAtKeys) {
            triedAtProgress = progress;
            triedAtKeys = keysProgress;
            List.copyOf(waiting.keySet()).forEach(this::release);
        }
    }

    private static String partition(RecordMetadata metadata) {
        return metadata.topic() + "/" + metadata.partition();
    }

    /** @return the store's key of a held record: its partition, then its offset in 19 digits, so keys sort by offset */
    private static String heldKey(String partition, long offset) {
        String digits = Long.toString(offset);
        return partition + "/" + "0".repeat(19 - digits.length()) + digits;
    }

    /** Handles a partition's held records in order, as far as their product's views are prepared. */
    private void release(String partition) {
        ProductViews plan = plans.get(parent(partition));
        if (plan != null && !plan.catalogued() && waitingForCatalog(plan.topic())) {
            return;
        }
        String topic = parent(partition);
        Held partitionHeld = waiting.get(partition);
        ArrayDeque<Long> offsets = partitionHeld.offsets;
        while (!offsets.isEmpty()) {
            String key = heldKey(partition, offsets.peekFirst());
            byte[] stored = held.get(key);
            if (stored == null) {
                throw new IllegalStateException("held record " + key + " is missing from " + heldStore);
            }
            HeldRecord record = HeldRecord.of(stored);
            if (!handle(topic, new Record<>(record.key(), record.value(), record.timestamp()), heldSeenAt.getOrDefault(key, initSeenAt))) {
                if (waitsForKeysOf != null) {
                    keyWaits.put(partition, waitsForKeysOf);
                    waitsForKeysOf = null;
                } else {
                    keyWaits.remove(partition);
                }
                return;
            }
            held.delete(key);
            heldSeenAt.remove(key);
            offsets.pollFirst();
            partitionHeld.bytes -= stored.length;
            budget.release(context.taskId(), this, partitionHeld.domain, stored.length);
        }
        if (partitionHeld.overflowed) {
            held.delete(overflowedKey(partition));
        }
        waiting.remove(partition);
        keyWaits.remove(partition);
    }

    /** @return the store's key that marks a partition {@link Held#overflowed} */
    private static String overflowedKey(String partition) {
        return partition + "/" + OVERFLOWED;
    }

    /**
     * @return whether a record of a product topic the catalog table does not hold is still to be
     * held for its entry: not once the topic has waited {@link #CATALOG_WAIT} or held
     * {@link #CATALOG_WAIT_RECORDS} records (its records are then left out of views, as for a
     * product without views, until the catalog holds it)
     */
    private boolean waitingForCatalog(String topic) {
        long now = context.currentSystemTimeMs();
        CatalogWait wait = catalogWaits.computeIfAbsent(topic, t -> new CatalogWait(now));
        if (!wait.givenUp && (now - wait.since > CATALOG_WAIT.toMillis() || wait.records >= CATALOG_WAIT_RECORDS)) {
            wait.givenUp = true;
            LOG.warn("Product topic {} has no entry in the catalog after {} s and {} records: its records are left out of views "
                    + "until it has (only the gate should write product topics, and only catalogued ones)", topic,
                    (now - wait.since) / 1000, wait.records);
        }
        return !wait.givenUp;
    }

    /** @return a held record's partition, or a partition's topic: what comes before the last {@code /} */
    private static String parent(String key) {
        return key.substring(0, key.lastIndexOf('/'));
    }

    /** @return false, having written nothing, if a view of the record's product is not prepared yet */
    /** @param seenAt the keys' read mark when the record was first seen ({@link PreparedKeys#latestSubjectKey}) */
    private boolean handle(String topic, Record<byte[], byte[]> record, long seenAt) {
        ProductViews plan = plans.get(topic);
        if (plan == null) {
            plan = plan(topic);
        }
        if (!plan.catalogued()) {
            // Only the gate writes a product topic, and only once the catalog admitted the product: a record of a product
            // this instance's copy of the catalog does not know yet is held until it does, not left out of its views.
            return !waitingForCatalog(topic);
        }
        if (plan.views().isEmpty()) {
            return true;
        }
        LocatedRecord value = null;
        String undecodable = null;
        try {
            value = record.value() == null ? null : locate(record.value());
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (RuntimeException e) {
            undecodable = "not decodable as the product's Avro: " + e.getMessage();
        }
        if (!(value != null && plan == preparedPlan && value.schema() == preparedWriter) && !prepared(plan, value)) {
            return false;
        }
        ProductDecryption decryption = null;
        RuntimeException unopened = null;
        if (value != null && plan.encryption() != null) {
            try {
                decryption = open(plan, value, seenAt);
            } catch (KeyNotReady e) {
                // before any of the record's views is written: it waits for its keys, and its partition's later records behind it
                waitsForKeysOf = plan.address().domain();
                return false;
            } catch (RuntimeException e) {
                unopened = e;
            }
        }
        for (PlannedView view : plan.views()) {
            view.in().increment();
            if (value == null) {
                deadLetter(record, view, undecodable != null ? undecodable : TOMBSTONE,
                        undecodable != null ? "records are not decodable as the product's Avro" : TOMBSTONE);
                continue;
            }
            RuntimeException failure = unopened;
            try {
                if (failure == null) {
                    viewRecord(record, plan, view, value, decryption);
                }
            } catch (SchemaRegistry.Unreachable e) {
                throw e;
            } catch (RuntimeException e) {
                failure = e;
            }
            // Outside the try: a status that cannot be written is the platform's failure, not this record's.
            if (failure != null) {
                // A filter's failure may quote the cleartext it evaluated: an encrypted product's stays in memory.
                String reason = decryption != null && failure instanceof RecordExpression.ExpressionFailure ? publicReason(failure, view)
                        : failure.getMessage();
                deadLetter(record, view, reason, publicReason(failure, view));
            } else {
                view.health().passed(context.currentSystemTimeMs()).ifPresent(status -> report(status, record.timestamp()));
            }
        }
        return true;
    }

    private void viewRecord(Record<byte[], byte[]> record, ProductViews plan, PlannedView view, LocatedRecord value,
                            ProductDecryption decryption) {
        Compiled compiledView = compile(plan, view, value);
        if (compiledView.filter() != null && !kept(compiledView, value, decryption)) {
            view.filtered().increment();
            return;
        }
        byte[] bytes = compiledView.records().write(value, decryption);
        // Most view records have no headers: none made for them (the record copies what it is given).
        RecordHeaders headers = null;
        if (decryption != null && !decryption.erasedFields().isEmpty()) {
            headers = new RecordHeaders();
            headers.add(EncryptedFields.ERASED_HEADER, decryption.erasedFields().getBytes(StandardCharsets.UTF_8));
        }
        context.forward(new Record<>(record.key(), new ViewOutput(view.topic(), bytes), record.timestamp(), headers));
        view.out().increment();
    }

    /**
     * A filter that cannot be evaluated on an erased subject's record (it reads a field that is
     * null now) leaves the row out: what the owner's filter would have decided is gone with the
     * key, and a row it may have excluded is not shown.
     */
    private static boolean kept(Compiled view, LocatedRecord value, ProductDecryption decryption) {
        try {
            return view.filter().test(value.with(view.filterReads()));
        } catch (RecordExpression.ExpressionFailure e) {
            if (decryption != null && decryption.erased()) {
                return false;
            }
            throw e;
        }
    }

    /** Opens the record's encrypted fields in memory, once for all the product's views. */
    private ProductDecryption open(ProductViews plan, LocatedRecord value, long seenAt) {
        ProductDecryption decryption = plan.decryptions().get(value.schema());
        if (decryption == null) {
            decryption = new ProductDecryption(plan.address(), plan.encryption(), value.schema(), keys,
                    ViewRecords.productKey(secret, plan.address().toString()));
            plan.decryptions().put(value.schema(), decryption);
        }
        decryption.open(value, seenAt);
        return decryption;
    }

    /**
     * Whether every view of the plan has its topics, and its schema for the record's writer
     * schema; asks for what is missing. A view whose filter does not compile, or whose schema the
     * registry refused, counts as prepared: the record is its failure, dead-lettered when handled.
     */
    private boolean prepared(ProductViews plan, LocatedRecord value) {
        boolean ready = true;
        for (PlannedView view : plan.views()) {
            ready &= topicsReady(plan.topic(), view.topic());
            if (value != null && !view.compiled().containsKey(value.schema())) {
                Draft draft;
                try {
                    draft = draft(plan, view, value.schema());
                } catch (SchemaRegistry.Unreachable e) {
                    throw e;
                } catch (RuntimeException e) {
                    // The view's own failure: thrown again, and dead-lettered, when the record is handled.
                    continue;
                }
                // A view that cannot be prepared is the platform's failure, not this record's; unless the
                // registry refused its schema, which its contract made: then it is the view's own failure.
                Optional<byte[]> header;
                try {
                    header = preparation.header(view.topic(), draft.viewSchema());
                } catch (ViewPreparation.SchemaRefused e) {
                    // Thrown again, and dead-lettered, when the record is handled.
                    continue;
                }
                if (header.isEmpty()) {
                    ready = false;
                } else {
                    compileOrLeave(view, value.schema(), draft, header.get());
                }
            }
        }
        if (ready && value != null && plan.views().stream().allMatch(view -> view.compiled().containsKey(value.schema()))) {
            preparedPlan = plan;
            preparedWriter = value.schema();
        }
        return ready;
    }

    /** Once a view's topics are there they stay (preparations run once): asked of the preparation only until then. */
    private boolean topicsReady(String productTopic, String viewTopic) {
        if (viewsWithTopics.contains(viewTopic)) {
            return true;
        }
        if (preparation.topicsReady(productTopic, viewTopic)) {
            viewsWithTopics.add(viewTopic);
            return true;
        }
        return false;
    }

    /** Leaves a view whose records cannot be written uncompiled: the failure is thrown again, and dead-lettered, when the record is handled. */
    private static void compileOrLeave(PlannedView view, Schema writer, Draft draft, byte[] header) {
        try {
            view.compiled().put(writer, draft.compiled(header));
        } catch (SchemaRegistry.Unreachable e) {
            throw e;
        } catch (RuntimeException e) {
            // Not swallowed: compile() throws it again for the record being handled, which dead-letters it.
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
     * record would cost more than the view itself. Each view's topics are asked for here.
     */
    private ProductViews plan(String topic) {
        ValueAndTimestamp<DataProduct> entry = catalog.get(topic);
        List<ProductView> transformed = entry == null || entry.value().getStatus() == ProductStatus.RETIRED ? List.of()
                : entry.value().getRegistration().getViews().stream().filter(v -> v.getFilter() != null || !v.getMasks().isEmpty()).toList();
        ProductAddress address = transformed.isEmpty() ? null : ProductAddress.parse(topic);
        ProductEncryption encryption = transformed.isEmpty() ? null : entry.value().getRegistration().getEncryption();
        ProductViews previous = plans.get(topic);
        Map<Schema, ProductDecryption> decryptions = new IdentityHashMap<>();
        if (previous != null && Objects.equals(previous.encryption(), encryption)) {
            decryptions = previous.decryptions();
        } else if (previous != null) {
            // the same views compiled without (or with other) encrypted fields would copy or hash ciphertext as it lies
            previous.views().forEach(view -> compiled.remove(view.viewOf()));
        }
        List<PlannedView> planned = transformed.stream().map(view -> {
            String viewTopic = address.viewTopic(view.getName());
            // Asked here, so that the topics are there by the view's first record as a rule.
            preparation.topicsReady(topic, viewTopic);
            return new PlannedView(view, viewTopic, compiled.computeIfAbsent(new ViewOf(viewTopic, view), v -> new IdentityHashMap<>()),
                    health.computeIfAbsent(viewTopic, t -> new ViewHealth(address, view.getName())),
                    counter(viewTopic, "in"), counter(viewTopic, "filtered"), counter(viewTopic, "out"), counter(viewTopic, "dead-lettered"));
        }).toList();
        if (entry != null) {
            catalogWaits.remove(topic);
        }
        ProductViews plan = new ProductViews(topic, entry != null, address, planned, encryption, decryptions);
        plans.put(topic, plan);
        plannedAt(topic).set(entry == null ? 0 : entry.timestamp());
        compiled.keySet().retainAll(plans.values().stream().flatMap(p -> p.views().stream()).map(PlannedView::viewOf).collect(Collectors.toSet()));
        // sets: a list's contains would make each look-up cost views × views on the stream thread
        Set<String> viewTopics = plans.values().stream().flatMap(p -> p.views().stream()).map(PlannedView::topic).collect(Collectors.toSet());
        health.keySet().retainAll(viewTopics);
        viewsWithTopics.retainAll(viewTopics);
        return plan;
    }

    /** Strings decoded as Java strings: filters, hashes and truncations all read their text. */
    private LocatedRecord locate(byte[] bytes) {
        Schema writer = framing.writer(bytes);
        // the last writer's first: a topic's records come with one writer schema for long runs
        if (writer != lastWriter) {
            lastFields = writers.computeIfAbsent(writer, schema -> new ProductFields(schema, true));
            lastWriter = writer;
        }
        return lastFields.locate(bytes, framing.bodyOffset());
    }

    /**
     * Cached by the view as the catalog states it and the writer schema: a change of either
     * compiles anew. Called once the view is {@link #prepared}, so its schema's header is there.
     * (A get first: a computeIfAbsent would make its lambda for every record.)
     */
    private Compiled compile(ProductViews plan, PlannedView planned, LocatedRecord product) {
        Compiled known = planned.compiled().get(product.schema());
        if (known == null) {
            Draft draft = draft(plan, planned, product.schema());
            // Empty only for a view whose refused schema is being registered again since prepared() looked: still refused for this record.
            known = draft.compiled(preparation.header(planned.topic(), draft.viewSchema()).orElseThrow(() -> new ViewPreparation.SchemaRefused(
                    "the view's schema, refused by the registry, is being registered again", null)));
            planned.compiled().put(product.schema(), known);
        }
        return known;
    }

    /** A view of one product, as its catalog entry defines it now. */
    private record ViewOf(String topic, ProductView view) {
    }

    /** A view compiled but for the header of its records, which waits for its schema's registration. */
    private record Draft(Schema viewSchema, RecordExpression filter, int[] filterReads, Map<String, Mask> masks, Set<String> encrypted,
                         byte[] key, Schema writer) {

        Compiled compiled(byte[] header) {
            return new Compiled(filter, filterReads, new ViewRecords(writer, viewSchema, masks, encrypted, key, header));
        }
    }

    /** An encrypted field the view does not mask passes the product's ciphertext through: no cleartext leaves memory unless a mask shows it. */
    private Draft draft(ProductViews plan, PlannedView planned, Schema writer) {
        ProductAddress address = plan.address();
        ProductView view = planned.view();
        Map<String, Mask> masks = new LinkedHashMap<>();
        view.getMasks().forEach((field, mask) -> masks.put(field, Mask.parse(mask)));
        Set<String> encrypted = plan.encryption() == null ? Set.of() : ProductDecryption.encryptedNames(plan.encryption(), writer);
        encrypted.forEach(field -> masks.putIfAbsent(field, new Mask(Mask.Kind.ENCRYPTED, 0)));
        RecordExpression filter = view.getFilter() == null ? null : RecordExpression.compile(view.getFilter(), writer);
        Optional<Set<String>> reads = filter == null ? Optional.of(Set.of()) : filter.fields();
        int[] filterReads = writer.getFields().stream()
                .filter(field -> reads.map(names -> names.contains(field.name())).orElse(true))
                .mapToInt(Schema.Field::pos).toArray();
        Schema viewSchema = ViewSchemas.derive(writer, address.toString(), view.getName(), masks, encrypted);
        return new Draft(viewSchema, filter, filterReads, masks, encrypted, ViewRecords.productKey(secret, address.toString()), writer);
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
                || failure instanceof RecordExpression.OverBudgetException || failure instanceof ViewPreparation.SchemaRefused) {
            // over budget, the view's filter does not compile, or the registry refused its schema: the contract's text, no record's
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

    /**
     * A gauge per product and task, {@code mesh.view.catalog.entry}: the time of the catalog entry
     * the task's plan follows, so that a new contract version is seen to be in force, in each task.
     */
    private AtomicLong plannedAt(String topic) {
        return plannedAt.computeIfAbsent(topic, t -> {
            var at = new AtomicLong();
            gauges.add(Gauge.builder("mesh.view.catalog.entry", at, AtomicLong::doubleValue)
                    .description("When the catalog entry a view task follows for the product was written (epoch ms; 0 before one)")
                    .tag("product", t).tag("task", context.taskId().toString()).register(meters));
            return at;
        });
    }

    @Override
    public void close() {
        budget.close(context.taskId(), this);
        // The task may move to another instance or thread; its gauges go with this processor.
        gauges.forEach(meters::remove);
        gauges.clear();
        // Streams may init this same instance again (a task revived under exactly-once): its gauges are registered anew.
        plannedAt.clear();
    }

    /** The registry gives back the counter it has for these tags, so planning again reuses it. */
    private Counter counter(String view, String outcome) {
        return Counter.builder("mesh.view.records")
                .description("Records through the policy-enforcer's views").tag("view", view).tag("outcome", outcome)
                .register(meters);
    }
}
