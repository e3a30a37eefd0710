package io.streammesh.authorizer;

import io.streammesh.schema.MeshTopics;
import java.util.Map;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.server.policy.CreateTopicPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's bound on the partitions of a topic any client creates: at most
 * {@link MeshTopics#MAX_PARTITIONS}. A domain may create its own topics, and the gate and the
 * views run one task per partition number of the widest topic they read, shared by every domain:
 * without this bound one domain's topic of thousands of partitions would stall them all. Kafka
 * gives the policy no principal, so the bound is everyone's; the platform never needs more (the
 * catalog admits no product wider, and a changelog is as wide as its widest source). Adding
 * partitions later needs ALTER, which only the platform has.
 *
 * <p>Broker (controller) configuration: {@code create.topic.policy.class.name=}this class.
 */
public final class MeshTopicPolicy implements CreateTopicPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(MeshTopicPolicy.class);

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure: the bound is the mesh's, written once in MeshTopics.
    }

    @Override
    public void validate(RequestMetadata request) {
        int partitions = partitionsOf(request);
        if (partitions > MeshTopics.MAX_PARTITIONS) {
            String reason = "topic " + request.topic() + " may have at most " + MeshTopics.MAX_PARTITIONS + " partitions, got " + partitions;
            LOG.warn("Refused to create a topic: {}", reason);
            throw new PolicyViolationException(reason);
        }
    }

    /** @return the partitions asked for, by count or by an explicit assignment */
    private static int partitionsOf(RequestMetadata request) {
        if (request.numPartitions() != null) {
            return request.numPartitions();
        }
        return request.replicasAssignments() == null ? 0 : request.replicasAssignments().size();
    }

    @Override
    public void close() {
        // Holds nothing.
    }
}
