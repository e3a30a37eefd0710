package io.streammesh.audit;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import io.streammesh.schema.MeshTopics;
import java.util.Arrays;
import java.util.Set;

/**
 * The platform's own plumbing, left out of the audit: of the platform apps' decisions, the probes
 * (the broker filtering its topic list for their pattern subscriptions' metadata: one denied
 * DESCRIBE per topic the app may not see, every refresh), and what the broker ALLOWED them on
 * anything but a product's topics (its own changelogs, repartition topics, group and
 * transactional ids; the platform topics they read and write to do their work) and the key
 * topics. Without it an idle demo wrote some 300 events a second, most of them about the platform
 * itself, into a topic kept forever. Refusals are always kept, every decision on a product, its
 * ingest and dead-letter topics and its views too (the platform's reads and writes of them are
 * how data moves), and every decision on {@code mesh.keys.*}.
 */
final class PlatformPlumbing {

    /** What the broker decides on; the catalog's REST reads and key fetches are always kept. */
    private static final Set<String> BROKER_RESOURCES = Set.of("TOPIC", "GROUP", "TRANSACTIONAL_ID", "CLUSTER", "DELEGATION_TOKEN", "USER");

    private PlatformPlumbing() {
    }

    /**
     * @param event a broker decision
     * @return whether it is plumbing, to be left out of {@code mesh.audit}
     */
    static boolean isPlumbing(AuthorizationEvent event) {
        if (Arrays.stream(PlatformApp.values()).noneMatch(app -> app.principal().kafkaPrincipal().equals(event.getPrincipal()))
                || !BROKER_RESOURCES.contains(event.getResourceType())) {
            return false;
        }
        if (event.getProbe()) {
            return true;
        }
        String resource = event.getResourceName();
        return event.getDecision() == Decision.ALLOWED && !resource.startsWith(MeshTopics.KEYS_PREFIX)
                && ProductTopic.of(resource).isEmpty();
    }
}
