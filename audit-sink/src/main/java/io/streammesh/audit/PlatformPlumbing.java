package io.streammesh.audit;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import java.util.Arrays;

/**
 * The platform's own plumbing, left out of the audit: decisions the broker ALLOWED a platform app
 * on its own internal resources (its changelogs, repartition topics, group and transactional ids,
 * all under its application id), and the audit app's reads and writes of the platform's topics
 * it audits from and to. Without it an idle mesh writes about half its audit about itself.
 * Refusals are always kept, and so is every read of a product or view topic, the audit's too.
 */
final class PlatformPlumbing {

    private PlatformPlumbing() {
    }

    /**
     * @param event a broker decision
     * @return whether it is plumbing, to be left out of {@code mesh.audit}
     */
    static boolean isPlumbing(AuthorizationEvent event) {
        if (event.getDecision() != Decision.ALLOWED) {
            return false;
        }
        return Arrays.stream(PlatformApp.values())
                .filter(app -> app.principal().kafkaPrincipal().equals(event.getPrincipal()))
                .anyMatch(app -> event.getResourceName().startsWith(app.applicationId())
                        || app == PlatformApp.AUDIT && ProductTopic.of(event.getResourceName()).isEmpty());
    }
}
