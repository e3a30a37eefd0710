package io.streammesh.testing;

import static org.awaitility.Awaitility.await;

import io.streammesh.client.IngestWriteAcls;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;

/**
 * The WRITE on a product's ingest topic that the policy-enforcer gives the owning domain once
 * the catalog admits the product ({@link IngestWriteAcls}, the same rule), after creating its
 * topics ({@link CataloguedTopics}), for tests that run neither: the only topic of a product its
 * domain may write.
 */
public final class IngestGrants {

    private static final Duration ENFORCED_WITHIN = Duration.ofSeconds(30);

    private IngestGrants() {
    }

    /**
     * Creates the product's missing topics from its registration, if it has one (a test may have
     * made them itself), and lets the
     * product's domain write its ingest topic; returns once the broker enforces it.
     *
     * @param mesh the mesh
     * @param address a product published, or whose topics exist
     */
    public static void allow(EmbeddedMesh mesh, ProductAddress address) {
        String domain = MeshNames.kafkaPrincipal(address.domain());
        CataloguedTopics.create(mesh, address);
        try {
            mesh.admin().createAcls(IngestWriteAcls.of(address)).all().get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not let " + domain + " write " + address.ingestTopic() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while granting " + address.ingestTopic(), e);
        }
        try (Admin asDomain = Admin.create(mesh.clientConfig(address.domain()).kafka())) {
            await().atMost(ENFORCED_WITHIN).ignoreExceptions().until(() -> asDomain.describeTopics(List.of(address.ingestTopic()),
                            new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames().get()
                    .get(address.ingestTopic()).authorizedOperations().contains(AclOperation.WRITE));
        }
    }
}
