package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Set;
import org.apache.kafka.clients.admin.AbortTransactionOptions;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.KafkaAdminClient;
import org.apache.kafka.clients.admin.internals.AbortTransactionHandler;
import org.apache.kafka.clients.admin.internals.AdminApiFuture;
import org.apache.kafka.clients.admin.internals.AdminApiHandler;
import org.apache.kafka.clients.admin.internals.PartitionLeaderCache;
import org.apache.kafka.clients.admin.internals.PartitionLeaderStrategy;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.utils.LogContext;

/**
 * Writes the marker that ends a transaction left open on one partition: {@code COMMIT} or
 * {@code ABORT}, at the transaction's own producer epoch (the partition takes that from any
 * transaction version; a coordinator writes v2 markers at the next epoch). Kafka's admin API only
 * aborts ({@code abortTransaction}, for transactions no coordinator will end); a transaction its
 * coordinator committed but whose markers it lost needs a commit marker, or acknowledged records
 * would be thrown away. The commit
 * is Kafka's own abort request with the result turned, sent through the admin client's request
 * driver, which it does not expose: reached by reflection, so it is pinned to the Kafka client
 * this build uses (a test runs it against the real broker).
 */
final class TransactionMarkers {

    /** Below {@link KafkaCalls}' own wait, so a marker is never written after the look gave up on it. */
    private static final int TIMEOUT_MS = 20_000;

    private TransactionMarkers() {
    }

    /**
     * @param admin a client allowed to write transaction markers (a super user)
     * @param transaction the partition, producer id and epoch and coordinator epoch of the open transaction
     * @param commit true to commit it, false to abort it
     * @throws MeshException if the broker refuses the marker; its cause is Kafka's error
     */
    static void end(Admin admin, AbortTransactionSpec transaction, boolean commit) {
        String what = (commit ? "commit" : "abort") + " a transaction left open on " + transaction.topicPartition();
        if (!commit) {
            KafkaCalls.await(admin.abortTransaction(transaction, new AbortTransactionOptions().timeoutMs(TIMEOUT_MS)).all(), what);
            return;
        }
        if (!(admin instanceof KafkaAdminClient client)) {
            throw new MeshException("cannot " + what + ": the admin client is a " + admin.getClass().getName());
        }
        var future = new PartitionLeaderStrategy.PartitionLeaderFuture<Void>(Set.of(transaction.topicPartition()), new PartitionLeaderCache());
        try {
            invokeDriver().invoke(client, new CommitHandler(transaction), future, TIMEOUT_MS);
        } catch (IllegalAccessException e) {
            throw new MeshException("cannot " + what + ": " + e.getMessage(), e);
        } catch (InvocationTargetException e) {
            throw new MeshException("cannot " + what + ": " + e.getCause(), e.getCause());
        }
        KafkaCalls.await(future.all().get(transaction.topicPartition()), what);
    }

    /** Looked up on each commit (rare), so that a Kafka client without it fails only commits, with a MeshException. */
    private static Method invokeDriver() {
        try {
            Method method = KafkaAdminClient.class.getDeclaredMethod("invokeDriver", AdminApiHandler.class, AdminApiFuture.class, Integer.class);
            method.setAccessible(true);
            return method;
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new MeshException("cannot commit a transaction left open: this Kafka client's admin has no request driver to reach ("
                    + e + "); it can only abort", e);
        }
    }

    /** Kafka's abort handler (leader lookup, request, the broker's errors), asking for a commit. */
    private static final class CommitHandler extends AbortTransactionHandler {

        CommitHandler(AbortTransactionSpec transaction) {
            super(transaction, new LogContext("[commit marker] "));
        }

        @Override
        public String apiName() {
            return "commitTransactionMarker";
        }

        @Override
        public WriteTxnMarkersRequest.Builder buildBatchedRequest(int brokerId, Set<TopicPartition> partitions) {
            WriteTxnMarkersRequest.Builder request = super.buildBatchedRequest(brokerId, partitions);
            request.data.markers().forEach(marker -> marker.setTransactionResult(true));
            return request;
        }
    }
}
