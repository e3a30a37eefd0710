package io.streammesh.embedded;

import io.streammesh.schema.MeshException;

/**
 * How many copies of each topic the mesh's brokers keep, decided once for the cluster: every
 * topic the mesh and its apps create (platform, products, dead letters, ingest, views, Streams'
 * internal topics) asks the broker for its default replication, so this setting is the only place
 * it is written. A single broker keeps one copy; three or more keep three and acknowledge a write
 * only once two hold it, so one broker may stop without losing an acknowledged record.
 *
 * @param factor the copies of each partition ({@code default.replication.factor})
 * @param minInSyncReplicas the copies an {@code acks=all} write needs ({@code min.insync.replicas})
 */
public record Replication(int factor, int minInSyncReplicas) {

    /** One broker: one copy. */
    public static final Replication SINGLE = new Replication(1, 1);
    /** The most copies the mesh keeps, however many brokers run. */
    public static final int MAX_FACTOR = 3;

    /** Checks that a write can be acknowledged at all. */
    public Replication {
        if (factor < 1 || minInSyncReplicas < 1 || minInSyncReplicas > factor) {
            throw new MeshException("replication " + factor + " with min.insync.replicas " + minInSyncReplicas
                    + " cannot acknowledge a write (need 1 <= min.insync.replicas <= replication)");
        }
    }

    /**
     * @param brokers how many brokers the cluster has
     * @return one copy per broker up to {@value #MAX_FACTOR}, all but one of them in sync, so that
     *         one broker may stop while writes go on
     */
    public static Replication forBrokers(int brokers) {
        int factor = Math.min(brokers, MAX_FACTOR);
        return new Replication(factor, Math.max(1, factor - 1));
    }
}
