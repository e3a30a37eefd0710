package io.streammesh.enforcer;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** Creates a view's topic (as many partitions and as long a retention as its product's) and its dead-letter topic, once. */
final class ViewTopics implements AutoCloseable {

    private final Admin admin;
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    ViewTopics(Admin admin) {
        this.admin = admin;
    }

    void ensure(String productTopic, String viewTopic) {
        if (known.contains(viewTopic)) {
            return;
        }
        try {
            TopicDescription product = admin.describeTopics(List.of(productTopic)).allTopicNames().get(30, TimeUnit.SECONDS).get(productTopic);
            var resource = new ConfigResource(ConfigResource.Type.TOPIC, productTopic);
            String retention = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource)
                    .get(TopicConfig.RETENTION_MS_CONFIG).value();
            KafkaCalls.createMissing(admin, List.of(viewTopic, MeshTopics.deadLetter(viewTopic)).stream()
                    .map(topic -> new NewTopic(topic, product.partitions().size(), (short) -1)
                            .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, retention)))
                    .toList());
            known.add(viewTopic);
        } catch (ExecutionException e) {
            throw new MeshException("cannot create view topic " + viewTopic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("cannot create view topic " + viewTopic + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted", e);
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
