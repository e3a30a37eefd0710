package io.streammesh.client;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the records waiting in one Kafka Streams app's stores take, per domain, across all its
 * tasks (the gate's records waiting for their products' catalog entries or data keys, the
 * enforcer's waiting for data keys): a domain whose waiting records reach the limit has its next
 * ones dead-lettered, while every other domain's records still wait. A limit per partition alone
 * would let one domain fill the heap of the app every domain shares with a product of many
 * partitions, or with many products.
 *
 * <p>Counted by task, for the processor that last started on it: one that starts again (a task
 * revived, or moved to another stream thread before its old processor closed) replaces what was
 * counted for the task instead of adding to it, and what a processor no longer the task's does
 * afterwards (a stream thread that lost its tasks but still runs) changes nothing. The tasks'
 * processors run on several stream threads: every method locks, and none is on the path of a
 * record that does not wait.
 */
public final class WaitingBudget {

    /**
     * What waits.
     *
     * @param records how many records
     * @param bytes the bytes they take in the store
     */
    public record Usage(long records, long bytes) {

        /** Nothing. */
        public static final Usage NONE = new Usage(0, 0);

        /**
         * @param other more waiting records
         * @return both together
         */
        public Usage plus(Usage other) {
            return new Usage(records + other.records, bytes + other.bytes);
        }
    }

    /** A task's waiting records by domain, and the processor they are counted for. */
    private record Held(Object owner, Map<String, Usage> byDomain) {
    }

    private final long domainRecords;
    private final long domainBytes;
    private final Map<TaskId, Held> tasks = new HashMap<>();
    private final Map<String, Usage> domains = new HashMap<>();

    /**
     * @param domainRecords the most records of one domain that wait in the app
     * @param domainBytes the most bytes they take
     */
    public WaitingBudget(long domainRecords, long domainBytes) {
        this.domainRecords = domainRecords;
        this.domainBytes = domainBytes;
    }

    /**
     * Counts one more waiting record of the domain, if it has room.
     *
     * @param task the task whose store holds the record
     * @param owner the processor asking: the task's, or it is refused
     * @param domain the record's domain
     * @param bytes what it takes in the store
     * @return empty if the record may wait, else what the domain's waiting records take
     */
    public synchronized Optional<Usage> reserve(TaskId task, Object owner, String domain, long bytes) {
        Usage used = usage(domain);
        if (!owns(task, owner) || used.records() >= domainRecords || used.bytes() + bytes > domainBytes) {
            return Optional.of(used);
        }
        add(task, domain, new Usage(1, bytes));
        return Optional.empty();
    }

    /**
     * Counts one more waiting record of the domain, room or not: one that waits for what the
     * platform itself is to do (the enforcer's view being prepared), which no domain can prolong.
     * A domain's records counted so leave less room for the others it would hold.
     *
     * @param task the task whose store holds the record
     * @param owner the processor: the task's, or nothing is counted
     * @param domain the record's domain
     * @param bytes what it takes in the store
     */
    public synchronized void add(TaskId task, Object owner, String domain, long bytes) {
        if (owns(task, owner)) {
            add(task, domain, new Usage(1, bytes));
        }
    }

    /**
     * A record of the domain waits no more.
     *
     * @param task the task whose store held it
     * @param owner the processor: the task's, or nothing changes
     * @param domain the record's domain
     * @param bytes what it took in the store
     */
    public synchronized void release(TaskId task, Object owner, String domain, long bytes) {
        if (owns(task, owner)) {
            add(task, domain, new Usage(-1, -bytes));
        }
    }

    /**
     * What a task's records take when a processor starts on it: replaces whatever was counted for
     * the task before, and makes {@code owner} the task's.
     *
     * @param task the task
     * @param owner its processor from now on
     * @param waiting what its store holds, by domain
     */
    public synchronized void restart(TaskId task, Object owner, Map<String, Usage> waiting) {
        forget(task);
        tasks.put(task, new Held(owner, new HashMap<>()));
        waiting.forEach((domain, usage) -> add(task, domain, usage));
    }

    /**
     * The task's processor closed: the task's records are no longer this app's to hold.
     *
     * @param task the task
     * @param owner the processor that closed: the task's, or nothing changes
     */
    public synchronized void close(TaskId task, Object owner) {
        if (owns(task, owner)) {
            forget(task);
        }
    }

    /**
     * @param domain a domain
     * @return what the domain's waiting records take in this app
     */
    public synchronized Usage usage(String domain) {
        return domains.getOrDefault(domain, Usage.NONE);
    }

    private boolean owns(TaskId task, Object owner) {
        Held held = tasks.get(task);
        return held != null && held.owner() == owner;
    }

    private void forget(TaskId task) {
        Held held = tasks.remove(task);
        if (held != null) {
            held.byDomain().forEach((domain, usage) -> domains.merge(domain, new Usage(-usage.records(), -usage.bytes()), Usage::plus));
        }
    }

    private void add(TaskId task, String domain, Usage change) {
        tasks.get(task).byDomain().merge(domain, change, Usage::plus);
        domains.merge(domain, change, Usage::plus);
    }
}
