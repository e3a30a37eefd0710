package io.streammesh.audit;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.RestResources;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The platform's own plumbing, left out of the audit. Of the platform apps' decisions:
 * <ul>
 * <li>their probes: the broker filtering a topic listing for their pattern subscriptions (one
 * denied DESCRIBE per topic an app may not see, at every metadata refresh), which asks for no
 * access;</li>
 * <li>what the broker ALLOWED them on their own internal resources (names under their
 * application id: changelogs, repartition topics, group, transactional ids), and the audit
 * app's allowed traffic on the platform's topics (what it audits from and to);</li>
 * <li>their allowed READs and DESCRIBEs of the platform's other topics and groups, but not of
 * the key topics.</li>
 * </ul>
 * Without it an idle demo wrote some 300 events a second, most of them about the platform itself,
 * into a topic kept forever. Kept: refusals; every decision on a product, its ingest and
 * dead-letter topics and its views (how data moves); every decision on {@code mesh.keys.*}; a
 * platform app's writes, creations, deletions and alterations of platform topics, and everything
 * it does on the cluster (ACL changes are ALTER on it): what its credentials change is evidence.
 */
final class PlatformPlumbing {

    /** Topics and groups: where a platform app's reads are plumbing; anything on the cluster is kept. */
    private static final Set<String> READ_RESOURCES = Set.of(ResourceType.TOPIC.name(), ResourceType.GROUP.name());
    private static final Set<String> READS = Set.of(AclOperation.READ.name(), AclOperation.DESCRIBE.name());

    private PlatformPlumbing() {
    }

    /**
     * @param event a broker decision
     * @return whether it is plumbing, to be left out of {@code mesh.audit}
     */
    static boolean isPlumbing(AuthorizationEvent event) {
        Optional<PlatformApp> app = Arrays.stream(PlatformApp.values())
                .filter(platform -> platform.principal().kafkaPrincipal().equals(event.getPrincipal())).findFirst();
        String type = event.getResourceType();
        if (app.isEmpty() || RestResources.CATALOG.equals(type) || RestResources.KEY.equals(type)) {
            return false;
        }
        if (event.getProbe()) {
            return true;
        }
        if (event.getDecision() != Decision.ALLOWED) {
            return false;
        }
        String resource = event.getResourceName();
        if (resource.startsWith(app.get().applicationId())) {
            return true;
        }
        boolean productTopic = ProductTopic.of(resource).isPresent();
        if (app.get() == PlatformApp.AUDIT) {
            return !productTopic && !ResourceType.CLUSTER.name().equals(type);
        }
        return READ_RESOURCES.contains(type) && READS.contains(event.getOperation()) && !productTopic
                && !resource.startsWith(MeshTopics.KEYS_PREFIX);
    }
}
