package io.streammesh.connector;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;

/**
 * What the records waiting in one gate for their products' catalog entries take, per domain,
 * across all the gate's tasks: a domain whose waiting records reach the limit has its next ones
 * dead-lettered, while every other domain's records still wait. A limit per ingest partition
 * alone would let one domain fill the heap of the gate every domain shares with a product of
 * many partitions, or with many products.
 *
 * <p>Counted by task, so that a task's processor that starts again (a task revived, or moved to
 * another stream thread without its old processor being closed) replaces what was counted for the
 * task instead of adding to it. The tasks' processors run on several stream threads: every method
 * locks, and none is on the path of a record whose product is in the catalog.
 */
final class PendingBudget {

    /** What waits: records, and the bytes they take in the store. */
    record Usage(long records, long bytes) {

        static final Usage NONE = new Usage(0, 0);

        Usage plus(Usage other) {
            return new Usage(records + other.records, bytes + other.bytes);
        }
    }

    private final long domainRecords;
    private final long domainBytes;
    /** By task, then by domain. */
    private final Map<TaskId, Map<String, Usage>> tasks = new HashMap<>();
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
     * @return whether the record may wait
     */
    synchronized boolean reserve(TaskId task, String domain, long bytes) {
        Usage used = usage(domain);
        if (used.records() >= domainRecords || used.bytes() + bytes > domainBytes) {
            return false;
        }
        add(task, domain, 1, bytes);
        return true;
    }

    /** A record of the domain waits no more. */
    synchronized void release(TaskId task, String domain, long bytes) {
        add(task, domain, -1, -bytes);
    }

    /** What a task's records take when its processor starts: replaces whatever was counted for the task before. */
    synchronized void restart(TaskId task, Map<String, Usage> waiting) {
        close(task);
        waiting.forEach((domain, usage) -> add(task, domain, usage.records(), usage.bytes()));
    }

    /** A task's processor closed: its records are no longer this gate's to hold. */
    synchronized void close(TaskId task) {
        Map<String, Usage> held = tasks.remove(task);
        if (held != null) {
            held.forEach((domain, usage) -> domains.merge(domain, new Usage(-usage.records(), -usage.bytes()), Usage::plus));
        }
    }

    /** @return what the domain's waiting records take in this gate */
    synchronized Usage usage(String domain) {
        return domains.getOrDefault(domain, Usage.NONE);
    }

    private void add(TaskId task, String domain, long records, long bytes) {
        Usage change = new Usage(records, bytes);
        tasks.computeIfAbsent(task, t -> new HashMap<>()).merge(domain, change, Usage::plus);
        domains.merge(domain, change, Usage::plus);
    }
}
