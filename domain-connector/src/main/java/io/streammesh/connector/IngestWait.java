package io.streammesh.connector;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Waits until a producer may write a product's ingest topic. The policy-enforcer grants that
 * WRITE once the catalog has admitted the product, a moment after {@code mesh product publish};
 * a producer started at once waits for it instead of failing its first records. The broker says
 * which operations the caller may perform on a topic it may describe, so nothing is written to
 * find out.
 */
public final class IngestWait {

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);

    private IngestWait() {
    }

    /**
     * @param clientConfig the producing principal's client config
     * @param address the product
     * @param wait how long to wait for the grant
     * @throws MeshException naming the missing grant if it did not come within {@code wait}
     */
    public static void untilWritable(MeshClientConfig clientConfig, ProductAddress address, Duration wait) {
        String ingest = address.ingestTopic();
        long deadline = System.nanoTime() + wait.toNanos();
        Duration backoff = FIRST_BACKOFF;
        try (Admin admin = Admin.create(clientConfig.kafka())) {
            while (!mayWrite(admin, ingest)) {
                if (System.nanoTime() > deadline) {
                    throw new MeshException(clientConfig.kafkaPrincipal() + " may not WRITE " + ingest + " (waited "
                            + wait.toSeconds() + " s): the policy-enforcer grants it once the catalog has admitted product "
                            + address + "; see mesh product list");
                }
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static boolean mayWrite(Admin admin, String topic) {
        try {
            Set<AclOperation> allowed = KafkaCalls.await(admin.describeTopics(List.of(topic),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames(), "describe " + topic)
                    .get(topic).authorizedOperations();
            return allowed != null && (allowed.contains(AclOperation.WRITE) || allowed.contains(AclOperation.ALL));
        } catch (MeshException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    private static void sleep(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while waiting for WRITE on an ingest topic", e);
        }
    }
}
