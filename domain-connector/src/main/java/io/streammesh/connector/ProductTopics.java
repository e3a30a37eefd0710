package io.streammesh.connector;

import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.MeshException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A product's topics (the product, its dead-letter topic and its ingest topic, which keeps raw
 * records only as long as the contract's {@code ingest.retention}) as publishing sees them. The
 * platform creates and changes them (the policy-enforcer, once the catalog admits the
 * registration: a domain may create none of them); publishing checks that the contract can be
 * applied to them and says what the platform will do.
 */
final class ProductTopics {

    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private final String principal;

    ProductTopics(Admin admin, String principal) {
        this.admin = admin;
        this.principal = principal;
    }

    /**
     * Checks, changing nothing, that the principal owns the topic (if it exists: the broker hides
     * another domain's missing topics from it as it hides existing ones) and that the contract
     * can be applied to it.
     *
     * @throws MeshException saying what the broker refuses
     */
    void check(String topic, ProductContract contract) {
        Optional<TopicDescription> existing = describe(topic);
        if (existing.isEmpty()) {
            return;
        }
        var description = existing.get();
        // A grant lets a team describe a product it reads; only its domain (and the platform) may
        // read its configs.
        if (description.authorizedOperations() != null && !description.authorizedOperations().contains(AclOperation.DESCRIBE_CONFIGS)) {
            throw refused("change topic " + topic);
        }
        if (description.partitions().size() > contract.partitions()) {
            throw new MeshException("topic " + topic + " has " + description.partitions().size() + " partitions; the contract asks "
                    + contract.partitions() + ", but Kafka cannot remove partitions: keep topic.partitions at "
                    + description.partitions().size() + " or more");
        }
    }

    /**
     * Says what the platform does to the topic once the catalog admits the contract: creates it
     * with the contract's partitions and retention, or adds partitions and sets a new retention.
     *
     * @return what changes, if anything
     */
    Optional<String> apply(String topic, ProductContract contract) {
        Optional<TopicDescription> existing = describe(topic);
        if (existing.isEmpty()) {
            return Optional.of("topic " + topic + ": " + contract.partitions() + " partitions, retention "
                    + retentionText(topic, contract) + " (created by the platform once the catalog admits this version)");
        }
        StringBuilder changed = new StringBuilder();
        int partitions = existing.get().partitions().size();
        if (partitions < contract.partitions()) {
            // A domain may not alter its topics (ALTER): the policy-enforcer adds the partitions,
            // to the product, its dead-letter and its ingest topic together.
            changed.append("partitions ").append(partitions).append(" -> ").append(contract.partitions())
                    .append(" (added by the platform once the catalog admits this version)");
        }
        var resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        String retention = await(admin.describeConfigs(List.of(resource)).all(), "read the config of " + topic)
                .get(resource).get(TopicConfig.RETENTION_MS_CONFIG).value();
        String wanted = Long.toString(retentionMs(topic, contract));
        if (!retention.equals(wanted)) {
            // A domain may not change its topics' configs (one could stall the gate): the
            // policy-enforcer applies the registration's retention.
            changed.append(changed.isEmpty() ? "" : ", ").append("retention -> ").append(retentionText(topic, contract))
                    .append(" (applied by the platform once the catalog admits this version)");
        }
        return changed.isEmpty() ? Optional.empty() : Optional.of("topic " + topic + ": " + changed);
    }

    /** @return whether the topic exists */
    boolean exists(String topic) {
        return describe(topic).isPresent();
    }

    private Optional<TopicDescription> describe(String topic) {
        try {
            Map<String, TopicDescription> all = admin.describeTopics(List.of(topic),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return Optional.ofNullable(all.get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            if (e.getCause() instanceof AuthorizationException) {
                throw refused("describe topic " + topic);
            }
            throw new MeshException("could not describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("could not describe topic " + topic + " within " + TIMEOUT_SECONDS + " s: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted", e);
        }
    }

    private static long retentionMs(String topic, ProductContract contract) {
        return topic.equals(contract.address().ingestTopic()) ? contract.ingestRetentionMs() : contract.retentionMs();
    }

    private static String retentionText(String topic, ProductContract contract) {
        long ms = retentionMs(topic, contract);
        if (ms < 0) {
            return "forever";
        }
        Duration retention = Duration.ofMillis(ms);
        return retention.toDays() > 0 && retention.toHours() % 24 == 0 ? retention.toDays() + "d" : retention.toString();
    }

    private MeshException refused(String what) {
        return new MeshException("refused by the broker: " + principal + " may not " + what
                + " (a domain's principal owns only the topics <domain>.*); publish as the owning domain's principal");
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException) {
                throw refused(what);
            }
            throw new MeshException("could not " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("could not " + what + " within " + TIMEOUT_SECONDS + " s: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while trying to " + what, e);
        }
    }

    static Collection<String> of(ProductContract contract) {
        return List.of(contract.address().topic(), contract.address().deadLetterTopic(), contract.address().ingestTopic());
    }
}
