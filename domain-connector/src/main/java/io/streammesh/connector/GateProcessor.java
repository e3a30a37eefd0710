package io.streammesh.connector;

import io.streammesh.client.WaitingBudget;
import io.streammesh.schema.DeadLetterHeaders;
import io.streammesh.schema.MeshException;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.keys.KeyLogUnavailable;
import io.streammesh.keys.KeyNotReady;
import io.streammesh.keys.PreparedKeys;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.ProductAddress.InvalidAddressException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStatus;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.micrometer.core.instrument.Counter;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
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
 * replaced (exactly once, nothing lost). A domain's key log or KMS that does not answer is no
 * verdict either: its records wait for their keys (below).
 *
 * <p>A record of a product the catalog does not have yet waits (publishing registers the product
 * and creates its ingest topic before the catalog has admitted it, and a producer may start right
 * away): it is held in a store, sealed ({@link WaitingSeal}: the gate does not know yet whether the
 * contract encrypts fields), with every later record of its ingest partition so that per-key
 * order holds, and checked once the catalog has the product; only a record still waiting after
 * {@link GateConfig#pendingWait()} goes to the dead-letter topic.
 *
 * <p>A record whose data subject's key is not at hand (a new subject, or one whose key was not
 * used for a while) waits the same way, with the later records of its ingest partition, sealed
 * ({@link WaitingSeal}), while {@link PreparedKeys} makes the key ready on a thread of its own: a
 * domain naming many new subjects, or whose key log or KMS is out of reach, waits for its own keys
 * while the stream thread goes on with other domains' records. It is tried again as soon as keys
 * were made ready, and does not expire. Nothing waits on the stream thread for a domain's key log
 * or KMS: a record that can wait no longer (the waiting records' limits, or a value over the size
 * limit) goes to the dead-letter topic sealed with its product's dead-letter key, as the gate has
 * it ({@link DeadLetterKeys}); if it never had it and cannot have it now (its domain's key log or
 * KMS out of reach), the record is decided for the dead-letter topic and waits for that key, within
 * as many records and bytes again as the limits, past which its dead letter is written without its
 * value.
 */
final class GateProcessor implements Processor<byte[], byte[], byte[], Object> {

    private static final long CATALOG_REFRESH_MS = 1_000;
    private static final String NO_VERSION = "none";
    private static final Duration PENDING_CHECK_EVERY = Duration.ofSeconds(1);
    /** How often records waiting for data keys are tried again, if keys were made ready since. */
    private static final Duration KEYS_CHECK_EVERY = Duration.ofMillis(20);
    /** Between an ingest topic and partition, and before the offset, in the store's keys: no topic name has it. */
    private static final String SEPARATOR = "|";

    private final GateConfig config;
    private final GateCounters counters;
    private final WaitingBudget budget;
    private final CompiledContracts contracts;
    private final PreparedKeys keys;
    private final DeadLetterKeys deadLetterKeys;
    private final WaitingSeal seal;
    /** {@link PreparedKeys#prepared()} when records waiting for keys were last tried. */
    private long preparedSeen;
    private final Map<String, Plan> plans = new HashMap<>();
    private ProcessorContext<byte[], Object> context;
    private TimestampedKeyValueStore<String, DataProduct> catalog;
    private KeyValueStore<String, byte[]> pending;
    /** The ingest partitions ({@code topic|partition}) with records in {@link #pending}. */
    private final Map<String, Waiting> waiting = new HashMap<>();

    /**
     * The most records of one ingest partition that wait for its product's catalog entry or their
     * subjects' keys, and the most bytes they take in the store: beyond, a record goes to the
     * dead-letter topic at once (or, if its dead letter cannot be sealed now, waits for that within
     * as many again), so that a product the gate's catalog does not have, or a domain whose keys
     * are out of reach, cannot fill the heap of the gate every domain shares.
     */
    static final int PENDING_RECORDS = 10_000;
    /** See {@link #PENDING_RECORDS}. */
    static final long PENDING_BYTES = 16L * 1024 * 1024;
    /**
     * The most records of one domain's products that wait in a gate, across its tasks, and the
     * most bytes they take: so that a domain cannot get round {@link #PENDING_RECORDS} with a
     * product of many partitions or with many products, while every other domain's records still
     * wait.
     */
    static final int DOMAIN_PENDING_RECORDS = 25_000;
    /** See {@link #DOMAIN_PENDING_RECORDS}. */
    static final long DOMAIN_PENDING_BYTES = 40L * 1024 * 1024;
    /** After a partition's separator, the store's key that marks it {@link Waiting#overflowed}: it sorts after every offset. */
    private static final String OVERFLOWED = "overflowed";

    /**
     * An ingest partition's waiting records: their offsets in order (the store's keys, so that a
     * release or an expiry reads each record once: the in-memory store's iterators copy their
     * whole range), and what they take.
     */
    private static final class Waiting {
        /** The domain of the partition's product, whose budget its records take. */
        private final String domain;
        private final ArrayDeque<Long> offsets = new ArrayDeque<>();
        private long bytes;
        /**
         * The subject whose key the first waiting record waits for, once known (not kept across a
         * restart): the records are tried again only once it is at hand, or every second.
         */
        private String blockedOn;
        /**
         * Whether a record of the partition went to the dead-letter topic for want of room: every
         * later one does too until none waits, so that no record waits behind one dead-lettered
         * before it (a producer that sends the dead letters again would put them after it).
         */
        private boolean overflowed;
        /**
         * The offsets of the records decided for the dead-letter topic that wait for its key, in
         * order: written as soon as it is at hand, before the records waiting ahead of them, as
         * any dead letter is; then {@link #gone} from the store until their turn comes.
         */
        private final ArrayDeque<Long> deadLetters = new ArrayDeque<>();
        private final Set<Long> gone = new HashSet<>();

        Waiting(String partition) {
            this.domain = ProductAddress.ofIngestTopic(topicOf(partition))
                    .orElseThrow(() -> new IllegalStateException("the gate reads only ingest topics, not " + partition)).domain();
        }

        void add(long offset, int stored) {
            offsets.addLast(offset);
            bytes += stored;
        }
    }

    /**
     * A product's contract as of {@code loadedAt}: its check, or why it takes no records.
     *
     * @param loadedAt when the catalog was looked at (the stream thread's wall clock)
     * @param address the product
     * @param topic its topic, one String for every record: the producer hashes the name of each
     *        record's topic, and a String computes its hash once
     * @param deadLetterTopic its dead-letter topic, likewise
     * @param check its compiled contract, or null
     * @param closed why it takes no records, or null
     * @param pending whether it takes no records only because the catalog does not have it yet
     * @param sealed whether its dead letters are encrypted whole: its contract encrypts fields, or it is not catalogued yet
     *        (its contract may)
     * @param accepted where its accepted records are counted, for a product that takes records (a
     *        check and no {@code closed}), else null: a product's series starts with its first accepted record
     */
    private record Plan(long loadedAt, ProductAddress address, String topic, String deadLetterTopic, ContractCheck check,
            DeadLetterReason closed, boolean pending, boolean sealed, Counter accepted) {
    }

    /**
     * @param config the gate's config
     * @param counters where records are counted
     * @param budget what the gate's waiting records take, shared by all its tasks' processors
     * @param contracts the products' compiled contracts, shared by all its tasks' processors
     * @param keys the data subjects' keys, made ready off the stream thread, and the products' dead-letter keys, shared by all its
     *        tasks' processors
     * @param seal what seals every waiting record, shared by all its tasks' processors
     */
    GateProcessor(GateConfig config, GateCounters counters, WaitingBudget budget, CompiledContracts contracts, DeadLetterKeys keys,
                  WaitingSeal seal) {
        this.config = config;
        this.counters = counters;
        this.budget = budget;
        this.contracts = contracts;
        this.keys = keys.keys();
        this.deadLetterKeys = keys;
        this.seal = seal;
    }

    @Override
    public void init(ProcessorContext<byte[], Object> context) {
        this.context = context;
        this.catalog = context.getStateStore(GateTopology.GLOBAL_CATALOG);
        this.pending = context.getStateStore(GateTopology.PENDING);
        // Streams may init this same instance again (a task revived under exactly-once): the store is what waits.
        waiting.clear();
        try (KeyValueIterator<String, byte[]> all = pending.all()) {
            // in key order, so in offset order within a partition
            all.forEachRemaining(entry -> {
                int separator = entry.key.lastIndexOf(SEPARATOR);
                Waiting held = waiting.computeIfAbsent(entry.key.substring(0, separator), Waiting::new);
                String last = entry.key.substring(separator + 1);
                if (last.equals(OVERFLOWED)) {
                    held.overflowed = true;
                } else {
                    held.add(Long.parseLong(last), entry.value.length);
                    if (PendingRecord.fromBytes(entry.value).verdict() != null) {
                        held.deadLetters.addLast(Long.parseLong(last));
                    }
                }
            });
        }
        var usage = new HashMap<String, WaitingBudget.Usage>();
        waiting.values().forEach(held -> usage.merge(held.domain, new WaitingBudget.Usage(held.offsets.size(), held.bytes),
                WaitingBudget.Usage::plus));
        budget.restart(context.taskId(), this, usage);
        context.schedule(PENDING_CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::checkPending);
        context.schedule(KEYS_CHECK_EVERY, PunctuationType.WALL_CLOCK_TIME, this::checkKeys);
        // Kafka Streams inits a task once it is restored: compiled while its first records are fetched and the others restore
        contracts.compileAhead(this::catalogued);
    }

    /** @return the first {@link CompiledContracts#AHEAD_LIMIT} products of the catalog that take records */
    private List<CompiledContracts.Catalogued> catalogued() {
        var products = new ArrayList<CompiledContracts.Catalogued>();
        try (KeyValueIterator<String, ValueAndTimestamp<DataProduct>> all = catalog.all()) {
            while (all.hasNext() && products.size() < CompiledContracts.AHEAD_LIMIT) {
                var entry = all.next();
                DataProduct product = entry.value.value();
                if (product.getStatus() == ProductStatus.ACTIVE && wireId(product.getRegistration().getSchemaContentId())) {
                    try {
                        products.add(new CompiledContracts.Catalogued(ProductAddress.parse(entry.key), product.getRegistration()));
                    } catch (InvalidAddressException e) {
                        // not compiled ahead; no ingest topic of a valid product leads to it
                    }
                }
            }
        }
        return products;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        Plan plan = plan(source.topic());
        if (plan.pending()) {
            hold(partitionOf(source), plan, waiting(record, source, plan));
            return;
        }
        // a record waits behind the waiting records of its partition, so that per-key order holds
        if (!waiting.isEmpty()) {
            String partition = partitionOf(source);
            if (!release(partition, plan)) {
                if (hold(partition, plan, waiting(record, source, plan))) {
                    askAhead(plan, record.value());
                }
                return;
            }
        }
        try {
            route(plan, record, source.partition(), source.offset(), true);
        } catch (KeyNotReady e) {
            hold(partitionOf(source), plan, waiting(record, source, plan));
        }
    }

    /** @return the ingest partition's name in {@link #waiting} and the store's keys: made only for a record that meets waiting ones */
    private static String partitionOf(RecordMetadata source) {
        return source.topic() + SEPARATOR + source.partition();
    }

    /**
     * For a record of a product with encrypted fields that waits behind others: the data key it
     * will need is asked for now, so that the keys of a partition's waiting records are made ready
     * together, not one by one as each reaches the head. Its verdict is not kept: the record is
     * checked again at its turn, and meets then whatever this look met.
     */
    private void askAhead(Plan plan, byte[] value) {
        if (!plan.sealed() || plan.check() == null) {
            return;
        }
        try {
            if (check(plan.check(), value, false) instanceof ContractCheck.Rejected rejected) {
                RecordEncryption.sealDeadLetter(plan.address(), deadLetterKeys, kept(value), rejected.subject());
            }
        } catch (KeyNotReady | KeyLogUnavailable | SchemaRegistry.Unreachable e) {
            // asked for; whatever else this look met, the record meets again at its turn
        }
    }

    private PendingRecord waiting(Record<byte[], byte[]> record, RecordMetadata source, Plan plan) {
        // a product not catalogued yet has its dead letters sealed, though its contract is unknown: not encrypted, as far as known
        return new PendingRecord(source.partition(), source.offset(), record.timestamp(), context.currentSystemTimeMs(), record.key(),
                record.value(), record.headers(), plan.sealed() && !plan.pending());
    }

    @Override
    public void close() {
        budget.close(context.taskId(), this);
    }

    /**
     * Holds the record until the catalog has its product, or its subject's data key is at hand
     * (then {@code plan} is not pending). An oversized value goes to the
     * dead-letter topic whatever the contract, and would not fit the store's changelog: it waits
     * for nothing; so does a record of a partition whose waiting records are at the limit
     * ({@link #PENDING_RECORDS}, {@link #PENDING_BYTES}), or whose domain's are
     * ({@link #DOMAIN_PENDING_RECORDS}, {@link #DOMAIN_PENDING_BYTES}). Either way every later
     * record of the partition follows it there until none waits, so that none waits behind one
     * dead-lettered before it. If its dead letter's key cannot be had now (its domain's key log or
     * KMS out of reach, and the gate never had it), the record waits for that key, decided for the
     * dead-letter topic (an oversized one cut as its dead letter keeps it), up to as many records and
     * bytes again as the limits; past those, its dead letter is written at once without its value
     * (the reason says so), so that neither the heap nor the stream thread every domain shares is
     * the domain's to take.
     *
     * @return whether it waits for its turn (else it was dead-lettered, or decided for the dead-letter topic)
     */
    private boolean hold(String partition, Plan plan, PendingRecord record) {
        Waiting held = waiting.computeIfAbsent(partition, Waiting::new);
        if (held.overflowed && held.offsets.isEmpty()) {
            // restored so, with nothing waiting any more to keep the order of: the partition takes records again
            pending.delete(overflowedKey(partition));
            held.overflowed = false;
        }
        boolean oversized = oversized(record.value());
        DeadLetterReason noWait = oversized ? ContractCheck.oversized(record.value().length, config.maxValueBytes()) : null;
        byte[] stored = null;
        if (!oversized) {
            // a partition already dead-lettering needs no copy of the record to say so; every other is sealed, the store's
            // changelog being on the broker's disks: one waiting for its product's catalog entry may be of encrypted fields
            stored = held.overflowed ? null : seal.seal(plan.address(), record).toBytes();
            String full = noRoom(held, record.partition(), stored == null ? 0 : stored.length);
            if (full != null) {
                noWait = new DeadLetterReason(DeadLetterHeaders.PRODUCT_RULE, plan.pending()
                        ? "product " + plan.address() + " is not in the catalog yet, and " + full + ": produce once the catalog has admitted it"
                        : "its data subject's key is being made ready, and " + full + ": produce at a pace the key log keeps up with");
            }
        }
        if (noWait != null) {
            if (!held.deadLetters.isEmpty()) {
                routeDeadLetters(partition, held, plan);
            }
            // behind dead letters still waiting for their key, it waits too: the dead-letter topic keeps the partition's order
            if (held.deadLetters.isEmpty()) {
                try {
                    route(closed(plan, noWait), record);
                    overflow(partition, held);
                    return false;
                } catch (KeyNotReady e) {
                    // its dead letter's key cannot be had now: waiting on the stream thread for it would stall every domain's records
                }
            }
            decide(partition, held, plan, record, noWait);
            return false;
        }
        pending.put(key(partition, record.offset()), stored);
        held.add(record.offset(), stored.length);
        if (plan.sealed() && (held.offsets.size() >= PENDING_RECORDS / 2
                || budget.usage(held.domain).records() >= DOMAIN_PENDING_RECORDS / 2)) {
            // half way to a limit: the dead-letter key is made ready before the records past it need it
            deadLetterKeys.askAhead(plan.address());
        }
        return true;
    }

    /**
     * A record of the partition was dead-lettered: if records of it wait, the partition is marked
     * {@link Waiting#overflowed} (in the store too, so that it holds across a restart), so that no
     * later record waits behind the dead letter.
     */
    private void overflow(String partition, Waiting held) {
        if (!held.offsets.isEmpty() && !held.overflowed) {
            held.overflowed = true;
            pending.put(overflowedKey(partition), new byte[0]);
        }
    }

    /** @return why a record of the partition cannot wait, or null: it may, and is counted in its domain's budget */
    private String noRoom(Waiting held, int partition, int bytes) {
        if (held.overflowed) {
            return "an earlier record of its ingest partition " + partition + " was dead-lettered while " + held.offsets.size()
                    + " records (" + held.bytes + " bytes) still wait before it";
        }
        if (held.offsets.size() >= PENDING_RECORDS || held.bytes + bytes > PENDING_BYTES) {
            return held.offsets.size() + " records of its ingest partition " + partition + " (" + held.bytes + " bytes) already wait for it";
        }
        return budget.reserve(context.taskId(), this, held.domain, bytes)
                .map(used -> used.records() + " records of domain " + held.domain + "'s products (" + used.bytes() + " bytes) already "
                        + "wait in this gate")
                .orElse(null);
    }

    /**
     * Keeps a record decided for the dead-letter topic until its dead letter's key is at hand, as if
     * written there now: records waiting before it make the partition's later ones follow it there.
     * Past twice the limits, its dead letter is written at once, without its value (which needs no key).
     */
    private void decide(String partition, Waiting held, Plan plan, PendingRecord record, DeadLetterReason reason) {
        byte[] stored = seal.seal(plan.address(), record.deadLettered(reason, kept(record.value()))).toBytes();
        String full = noRoomForDeadLetters(held, stored.length);
        if (full != null) {
            route(closed(plan, new DeadLetterReason(reason.rule(), reason.reason() + "; its dead letter cannot be sealed now, and "
                    + full + ": its value is not kept, produce it again")), record.withValue(null, null));
            overflow(partition, held);
            return;
        }
        budget.add(context.taskId(), this, held.domain, stored.length);
        overflow(partition, held);
        pending.put(key(partition, record.offset()), stored);
        held.add(record.offset(), stored.length);
        held.deadLetters.addLast(record.offset());
        deadLetterKeys.askAhead(plan.address());
    }

    /**
     * @return why a record decided for the dead-letter topic cannot wait for its dead letter's key, or null: the partition's
     *         or its domain's waiting records take twice the limits already (the records decided so take the limits once more)
     */
    private String noRoomForDeadLetters(Waiting held, int bytes) {
        if (held.offsets.size() >= 2 * PENDING_RECORDS || held.bytes + bytes > 2 * PENDING_BYTES) {
            return held.offsets.size() + " records of its ingest partition (" + held.bytes + " bytes) wait already";
        }
        WaitingBudget.Usage used = budget.usage(held.domain);
        if (used.records() >= 2L * DOMAIN_PENDING_RECORDS || used.bytes() + bytes > 2 * DOMAIN_PENDING_BYTES) {
            return used.records() + " records of domain " + held.domain + "'s products (" + used.bytes() + " bytes) wait in this gate";
        }
        return null;
    }

    /** @return the store's key of a waiting record: its partition, then its offset in 19 digits, so keys sort by offset */
    private static String key(String partition, long offset) {
        String digits = Long.toString(offset);
        return partition + SEPARATOR + "0".repeat(19 - digits.length()) + digits;
    }

    /** @return the store's key that marks a partition {@link Waiting#overflowed} */
    private static String overflowedKey(String partition) {
        return partition + SEPARATOR + OVERFLOWED;
    }

    private static String topicOf(String partition) {
        return partition.substring(0, partition.lastIndexOf(SEPARATOR));
    }

    /** Every second: the waiting records of products the catalog now has are checked, those waiting too long dead-lettered. */
    private void checkPending(long now) {
        for (String partition : List.copyOf(waiting.keySet())) {
            Plan plan = plan(topicOf(partition));
            if (plan.pending()) {
                expire(partition, plan, now);
            } else {
                // whatever its first record waits for: a key asked for while its domain was paused is asked again
                routeWaiting(partition, plan, Long.MAX_VALUE, true);
            }
        }
    }

    /**
     * Every {@link #KEYS_CHECK_EVERY}, if keys were made ready since the last look: the waiting
     * records of catalogued products are tried again, so that a record that waited for its
     * subject's key goes on within moments of it being ready, not at the next second.
     */
    private void checkKeys(long now) {
        if (waiting.isEmpty()) {
            return;
        }
        long prepared = keys.prepared();
        if (prepared == preparedSeen) {
            return;
        }
        preparedSeen = prepared;
        for (String partition : List.copyOf(waiting.keySet())) {
            Plan plan = plan(topicOf(partition));
            if (!plan.pending()) {
                release(partition, plan);
            }
        }
    }

    /**
     * Routes an ingest partition's waiting records, in their order, by {@code plan}, up to the
     * first whose subject's data key is not at hand yet; nothing is checked while the key the
     * first waits for is still not at hand, so that records waiting for keys cost the stream thread
     * a look-up each time they are tried, not a check.
     *
     * @return whether none waits any more
     */
    private boolean release(String partition, Plan plan) {
        return routeWaiting(partition, plan, Long.MAX_VALUE, false);
    }

    /** Dead-letters an ingest partition's records that waited longer than allowed, oldest first. */
    private void expire(String partition, Plan plan, long now) {
        routeWaiting(partition, plan, now - config.pendingWait().toMillis(), true);
    }

    /**
     * Routes a partition's waiting records in order, up to the first that started waiting after
     * {@code waitingBefore}, or whose subject's data key is not at hand, or that cannot be opened now.
     *
     * @param retry whether to try the first record even if the key it waits for is not at hand (to ask for it again)
     * @return whether none waits any more
     */
    private boolean routeWaiting(String partition, Plan plan, long waitingBefore, boolean retry) {
        Waiting held = waiting.get(partition);
        if (held == null) {
            return true;
        }
        routeDeadLetters(partition, held, plan);
        if (!retry && held.blockedOn != null && !keys.atHand(held.domain, held.blockedOn)) {
            return false;
        }
        while (!held.offsets.isEmpty()) {
            Long head = held.offsets.peekFirst();
            if (held.gone.remove(head)) {
                // written to the dead-letter topic before its turn
                held.offsets.pollFirst();
                continue;
            }
            if (head.equals(held.deadLetters.peekFirst())) {
                // decided for the dead-letter topic, and not written above: its key is not at hand yet
                return false;
            }
            String key = key(partition, head);
            byte[] stored = stored(key);
            PendingRecord record = PendingRecord.fromBytes(stored);
            if (record.waitingSince() > waitingBefore) {
                return false;
            }
            try {
                if (!routeWaited(plan, record)) {
                    held.blockedOn = null;
                    return false;
                }
            } catch (KeyNotReady e) {
                held.blockedOn = e.subject();
                return false;
            }
            held.blockedOn = null;
            held.offsets.pollFirst();
            forget(held, key, stored);
        }
        if (held.overflowed) {
            pending.delete(overflowedKey(partition));
        }
        waiting.remove(partition);
        return true;
    }

    /**
     * Writes the partition's records decided for the dead-letter topic, in order, as far as their
     * dead letters' key is at hand (asked of the key holder only once it may be, so that a record
     * coming to a partition whose dead letters wait costs no look at them).
     */
    private void routeDeadLetters(String partition, Waiting held, Plan plan) {
        if (!held.deadLetters.isEmpty() && plan.sealed() && !deadLetterKeys.ready(plan.address())) {
            // asked for again: a domain whose keys were out of reach is asked for only once they may be had
            deadLetterKeys.askAhead(plan.address());
        }
        while (!held.deadLetters.isEmpty() && (!plan.sealed() || deadLetterKeys.ready(plan.address()))) {
            long offset = held.deadLetters.peekFirst();
            String key = key(partition, offset);
            byte[] stored = stored(key);
            try {
                if (!routeWaited(plan, PendingRecord.fromBytes(stored))) {
                    return;
                }
            } catch (KeyNotReady e) {
                return;
            }
            held.deadLetters.pollFirst();
            held.gone.add(offset);
            forget(held, key, stored);
        }
    }

    /** @return a waiting record as the store holds it */
    private byte[] stored(String key) {
        byte[] stored = pending.get(key);
        if (stored == null) {
            throw new IllegalStateException("waiting record " + key + " is missing from " + GateTopology.PENDING);
        }
        return stored;
    }

    /** A waiting record was routed: out of the store, and of what its partition and domain take. */
    private void forget(Waiting held, String key, byte[] stored) {
        pending.delete(key);
        held.bytes -= stored.length;
        budget.release(context.taskId(), this, held.domain, stored.length);
    }

    /**
     * A record that waited, opened if it was sealed, to its product or the dead-letter topic; one
     * that waited under a contract encrypting fields and that its product's plan dead-letters is
     * encrypted there too, even if the plan no longer knows the product's encryption (it left the
     * catalog). One that cannot be opened now (the platform's KMS does not answer, or no longer has
     * the KEK that wrapped its sealing key) stays where it is, and keeps the records behind it
     * waiting: never lost, never dead-lettered
     * unreadable ({@link WaitingSeal} logs why, and asks the KMS again a second later at most).
     *
     * @return whether it was routed
     */
    private boolean routeWaited(Plan plan, PendingRecord waited) {
        PendingRecord opened;
        try {
            opened = seal.open(plan.address(), waited);
        } catch (GeneralSecurityException e) {
            return false;
        }
        if (opened.verdict() != null) {
            // it waited only for its dead letter's key
            route(closed(plan, opened.verdict(), plan.sealed() || waited.encrypted()), opened);
        } else {
            route(waited.encrypted() && plan.closed() != null && !plan.sealed() ? closed(plan, plan.closed(), true) : plan, opened);
        }
        return true;
    }

    /** A record that waited, to its product or the dead-letter topic. */
    private void route(Plan plan, PendingRecord waited) {
        route(plan, new Record<>(waited.key(), waited.value(), waited.timestamp(), waited.headers()), waited.partition(), waited.offset(),
                false);
    }

    /**
     * The record to its product, or to the dead-letter topic with the reason and where it came from.
     *
     * @param live whether it is the record being read (Kafka Streams' record context is its own),
     *        which then goes to its product as it is, unless the check changed its value
     * @throws KeyNotReady if a data key it needs is not at hand (nor, for its product's dead-letter key, had before): nothing
     *         was routed nor changed
     */
    private void route(Plan plan, Record<byte[], byte[]> record, int partition, long offset, boolean live) {
        ContractCheck.Verdict verdict = plan.closed() != null ? new ContractCheck.Rejected(plan.closed())
                : check(plan.check(), record.value(), !plan.sealed());
        // the record's own headers (Kafka Streams gave this record a copy of the consumed ones)
        Headers headers = record.headers();
        if (verdict instanceof ContractCheck.Accepted accepted) {
            DeadLetterReason.removeForged(headers);
            if (live) {
                byte[] value = accepted.value();
                context.forward(value == record.value() ? record : record.withValue(value), GateTopology.PRODUCTS);
            } else {
                context.forward(record.withValue(new GateOutput(plan.topic(), accepted.value())), GateTopology.ROUTED);
            }
            plan.accepted().increment();
            return;
        }
        var rejected = (ContractCheck.Rejected) verdict;
        // sealed before any header changes: a key not at hand leaves the record as it was, to wait
        RecordEncryption.Sealed sealed = plan.sealed()
                ? RecordEncryption.sealDeadLetter(plan.address(), deadLetterKeys, kept(record.value()), rejected.subject()) : null;
        DeadLetterReason.removeForged(headers);
        DeadLetterReason reason = rejected.reason();
        String version = plan.check() == null ? NO_VERSION : plan.check().registration().getVersion();
        reason.addTo(headers, version, plan.address(), Instant.ofEpochMilli(context.currentSystemTimeMs()));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, bytes(Integer.toString(partition)));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, bytes(Long.toString(offset)));
        if (sealed != null) {
            // a dead letter of a product with encrypted fields is encrypted whole, with the key of the subject it names if known
            headers.add(DeadLetterHeaders.ENCRYPTED_WITH, bytes(sealed.subject()));
        }
        context.forward(record.withValue(new GateOutput(plan.deadLetterTopic(), sealed != null ? sealed.value() : kept(record.value()))),
                GateTopology.ROUTED);
        counters.rejected(plan.address(), reason.rule());
    }

    private boolean oversized(byte[] value) {
        return value != null && value.length > config.maxValueBytes();
    }

    /**
     * An oversized value is cut to the limit: whole, it might not fit the dead-letter topic, and
     * a write that fails for good would stop the gate's task, which other products share.
     */
    private byte[] kept(byte[] value) {
        return oversized(value) ? Arrays.copyOf(value, config.maxValueBytes()) : value;
    }

    /** @param quotesValues whether the reason may quote the failure, which may hold the record's values (not for a sealed product) */
    private static ContractCheck.Verdict check(ContractCheck check, byte[] value, boolean quotesValues) {
        try {
            return check.check(value);
        } catch (SchemaRegistry.Unreachable | KeyLogUnavailable | KeyNotReady e) {
            // an outage is no verdict on the record: the task fails and the record is checked again (a registry's; no
            // key log's: keys are made ready off the stream thread); a key not at hand makes the record wait
            throw e;
        } catch (RuntimeException e) {
            // a record that makes the check itself fail is still only a bad record
            String failure = e.getMessage() == null || !quotesValues ? e.getClass().getSimpleName() : e.getMessage();
            return new ContractCheck.Rejected(new DeadLetterReason(DeadLetterHeaders.SCHEMA_RULE, "cannot be checked: " + failure));
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
        plan = entry == null ? notCatalogued(now, address)
                : entry.value().getStatus() == ProductStatus.RETIRED ? closed(now, address, "product " + address
                        + " is retired; it takes no new records", sealed(entry.value().getRegistration()))
                : open(now, address, entry.value().getRegistration(), plan);
        plans.put(topic, plan);
        return plan;
    }

    private Plan open(long now, ProductAddress address, ProductRegistration registration, Plan previous) {
        boolean sealed = sealed(registration);
        if (previous != null && previous.check() != null && previous.check().registration().equals(registration)) {
            return plan(now, address, previous.check(), null, false, sealed);
        }
        Long contentId = registration.getSchemaContentId();
        if (contentId == null) {
            return closed(now, address, "product " + address + " has no registered schema in its catalog entry", sealed);
        }
        if (!wireId(contentId)) {
            return closed(now, address, "product " + address + " names schema id " + contentId + " in its catalog entry, "
                    + "which the wire format cannot carry", sealed);
        }
        try {
            return plan(now, address, new ContractCheck(contracts.of(address, registration), config.schemas(), config.maxValueBytes(),
                    keys), null, false, sealed);
        } catch (SchemaRegistry.Unreachable | KeyLogUnavailable e) {
            throw e;
        } catch (MeshException e) {
            return closed(now, address, e.getMessage(), sealed);
        } catch (RuntimeException e) {
            // A registration need not come through the contract validator: a contract that cannot be applied to the
            // schema it names (one that is no record, say) closes that product, never the task every domain shares.
            return closed(now, address, "the contract of product " + address + " cannot be applied to its registered schema: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), sealed);
        }
    }

    /** @return whether a registration's schema id is one the wire format can carry (its 4 bytes) */
    private static boolean wireId(Long contentId) {
        return contentId != null && contentId >= 0 && contentId <= Integer.MAX_VALUE;
    }

    private static boolean sealed(ProductRegistration registration) {
        return registration.getEncryption() != null;
    }

    private Plan plan(long now, ProductAddress address, ContractCheck check, DeadLetterReason closed, boolean pending, boolean sealed) {
        return new Plan(now, address, address.topic(), address.deadLetterTopic(), check, closed, pending, sealed,
                check == null || closed != null ? null : counters.accepted(address));
    }

    /** @return the plan, closed for one record that cannot wait (for the catalog to have its product, or for its subject's key) */
    private static Plan closed(Plan waitedFor, DeadLetterReason reason) {
        return closed(waitedFor, reason, waitedFor.sealed());
    }

    /** @param sealed whether the record's dead letter is sealed */
    private static Plan closed(Plan waitedFor, DeadLetterReason reason, boolean sealed) {
        return new Plan(waitedFor.loadedAt(), waitedFor.address(), waitedFor.topic(), waitedFor.deadLetterTopic(), null, reason,
                waitedFor.pending(), sealed, null);
    }

    private Plan closed(long now, ProductAddress address, String reason, boolean sealed) {
        return plan(now, address, null, new DeadLetterReason(DeadLetterHeaders.PRODUCT_RULE, reason), false, sealed);
    }

    /** Its dead letters are sealed: the gate does not know whether its contract encrypts fields, whose cleartext no DLQ may hold. */
    private Plan notCatalogued(long now, ProductAddress address) {
        return plan(now, address, null, new DeadLetterReason(DeadLetterHeaders.PRODUCT_RULE, "product " + address
                + " was not in the catalog within " + config.pendingWait().toSeconds() + " s: publish its contract "
                + "(mesh product publish) and produce once the catalog has admitted it"), true, true);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
