package io.streammesh.connector;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the records waiting in one gate instance for their products' catalog entries take, per
 * domain, across all its tasks: a domain whose waiting records reach the limit has its next ones
 * dead-lettered, while every other domain's records still wait. A limit per ingest partition
 * alone would let one domain fill the heap of the gate every domain shares with a product of
 * many partitions, or with many products.
 *
 * <p>Counted by task, for the processor that last started on it: one that starts again (a task
 * revived, or moved to another stream thread before its old processor closed) replaces what was
 * counted for the task instead of adding to it, and what a processor no longer the task's does
 * afterwards (a stream thread that lost its tasks but still runs) changes nothing. The tasks'
 * processors run on several stream threads: every method locks, and none is on the path of a
 * record whose product is in the catalog.
 */
final class PendingBudget {

    /** What waits: records, and the bytes they take in the store. */
    record Usage(long records, long bytes) {

        static final Usage NONE = new Usage(0, 0);

        Usage plus(Usage other) {
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
     * @param domainRecords the most records of one domain that wait in the gate
     * @param domainBytes the most bytes they take
     */
    PendingBudget(long domainRecords, long domainBytes) {
        this.domainRecords = domainRecords;
        this.domainBytes = domainBytes;
    }

    /**
     * Counts one more waiting record of the domain, if it has room.
     *
     * @param owner the processor asking: the task's, or it is refused
     * @return empty if the record may wait, else what the domain's waiting records take
     */
    synchronized Optional<Usage> reserve(TaskId task, Object owner, String domain, long bytes) {
        Usage used = usage(domain);
        if (!owns(task, owner) || used.records() >= domainRecords || used.bytes() + bytes > domainBytes) {
            return Optional.of(used);
        }
        add(task, domain, new Usage(1, bytes));
        return Optional.empty();
    }

    /** A record of the domain waits no more. */
    synchronized void release(TaskId task, Object owner, String domain, long bytes) {
        if (owns(task, owner)) {
            add(task, domain, new Usage(-1, -bytes));
        }
    }

    /**
     * What a task's records take when a processor starts on it: replaces whatever was counted for
     * the task before, and makes {@code owner} the task's.
     */
    synchronized void restart(TaskId task, Object owner, Map<String, Usage> waiting) {
        forget(task);
        tasks.put(task, new Held(owner, new HashMap<>()));
        waiting.forEach((domain, usage) -> add(task, domain, usage));
    }

    /** The task's processor closed: the task's records are no longer this gate's to hold. */
    synchronized void close(TaskId task, Object owner) {
        if (owns(task, owner)) {
            forget(task);
        }
    }

    /** @return what the domain's waiting records take in this gate */
    synchronized Usage usage(String domain) {
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
