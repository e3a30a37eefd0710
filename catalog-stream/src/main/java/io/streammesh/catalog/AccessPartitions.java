package io.streammesh.catalog;

import io.streammesh.client.KafkaCalls;
import io.streammesh.schema.MeshException;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshTopics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * How many partitions the catalog's repartition topics have: as many as {@code mesh.access.grants}
 * has, read from the broker at start. Requests and decisions meet on the access repartition
 * by request id, and each grant is written under that id: with equal counts a grant lands on
 * the partition of the task that decided it. Streams cannot change the partitions of a
 * repartition topic that exists, so a disagreement found at start stops the app with the fix.
 */
final class AccessPartitions {

    /** The repartition topics sized by {@link CatalogTopology#build}'s {@code accessPartitions} (and health's, sized alike). */
    static final List<String> REPARTITION_TOPICS = List.of(
            PlatformApp.CATALOG.applicationId() + "-" + CatalogTopology.ACCESS_REPARTITION + "-repartition",
            HealthTopology.APPLICATION_ID + "-" + HealthTopology.ACTIVITY_REPARTITION + "-repartition");

    private AccessPartitions() {
    }

    /**
     * @param admin a client of the {@code mesh-catalog} principal
     * @return the partitions of {@code mesh.access.grants}
     * @throws MeshException if a repartition topic exists with another count
     */
    static int read(Admin admin) {
        Set<String> existing = KafkaCalls.await(admin.listTopics().names(), "list the topics").stream()
                .filter(REPARTITION_TOPICS::contains).collect(Collectors.toSet());
        var names = new ArrayList<>(existing);
        names.add(MeshTopics.ACCESS_GRANTS);
        Map<String, Integer> partitions = KafkaCalls.await(admin.describeTopics(names).allTopicNames(), "describe " + names).entrySet()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> partitionCount(e.getValue())));
        int grants = partitions.remove(MeshTopics.ACCESS_GRANTS);
        return agreed(grants, partitions);
    }

    /**
     * @param grants the partitions of {@code mesh.access.grants}
     * @param repartitions the repartition topics that exist, with their partitions
     * @return {@code grants}, the count the repartition topics are given
     * @throws MeshException naming the first repartition topic with another count
     */
    static int agreed(int grants, Map<String, Integer> repartitions) {
        repartitions.entrySet().stream().filter(topic -> topic.getValue() != grants).sorted(Map.Entry.comparingByKey()).findFirst()
                .ifPresent(topic -> {
                    throw new MeshException(MeshTopics.ACCESS_GRANTS + " has " + grants + " partitions, but catalog-stream's repartition topic "
                            + topic.getKey() + " has " + topic.getValue() + "; they must agree: delete " + topic.getKey()
                            + " while catalog-stream is stopped (it is recreated with " + grants + ")");
                });
        return grants;
    }

    private static int partitionCount(TopicDescription topic) {
        return topic.partitions().size();
    }
}
