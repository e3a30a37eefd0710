package io.streammesh.registry;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import java.util.Optional;

/**
 * Who may do what in the registry. Any mesh principal reads. A principal writes the value schema
 * of a topic only where the broker lets it write that topic: a domain its own products (and their
 * dead-letter topics), its registrations and decisions; every principal but an auditor its own
 * access requests; an auditor nothing. Rules,
 * compatibility, deletes and the admin API are the platform's (mesh-admin and the platform apps).
 */
final class RegistryPolicy {

    private RegistryPolicy() {
    }

    /**
     * @param who the authenticated principal
     * @param call the call it makes
     * @return why the call is refused, one line, or empty if it may go ahead
     */
    static Optional<String> refusal(MeshPrincipal who, RegistryCall call) {
        if (isPlatform(who)) {
            return Optional.empty();
        }
        RegistryCall.Need need = call.need();
        if (need instanceof RegistryCall.SubjectWrite write) {
            if (who.kind() == PrincipalKind.AUDITOR) {
                return Optional.of(who.kafkaPrincipal() + " may not write subject '" + write.subject() + "' in group '" + write.group()
                        + "': an auditor only reads");
            }
            return mayWrite(who, write) ? Optional.empty() : Optional.of(who.kafkaPrincipal() + " may not write subject '"
                    + write.subject() + "' in group '" + write.group() + "': a principal writes only the schemas of topics it may write "
                    + (who.kind() == PrincipalKind.DOMAIN ? "(" + who.name() + ".* products and its own mesh topics)"
                    : "(" + MeshTopics.accessRequests(who.name()) + ", " + MeshTopics.decisions(who.name()) + ")"));
        }
        if (need instanceof RegistryCall.PlatformOnly platform) {
            return Optional.of(who.kafkaPrincipal() + " may not make " + platform.what()
                    + ": only platform principals change rules, compatibility or state, or delete");
        }
        return Optional.empty();
    }

    private static boolean isPlatform(MeshPrincipal who) {
        return who.kind() == PrincipalKind.ADMIN || who.kind() == PrincipalKind.PLATFORM;
    }

    private static boolean mayWrite(MeshPrincipal who, RegistryCall.SubjectWrite write) {
        if (!write.group().equals(RegistryCall.DEFAULT_GROUP)) {
            return false;
        }
        if (write.subject().equals(MeshTopics.valueSubject(MeshTopics.accessRequests(who.name())))
                || write.subject().equals(MeshTopics.valueSubject(MeshTopics.decisions(who.name())))) {
            return true;
        }
        if (who.kind() != PrincipalKind.DOMAIN) {
            return false;
        }
        String domain = who.name();
        return write.subject().equals(MeshTopics.valueSubject(MeshTopics.registrations(domain)))
                || write.subject().equals(MeshTopics.valueSubject(MeshTopics.decisions(domain)))
                || ownsProductSubject(domain, write.subject());
    }

    /** {@code <domain>.<product>.v<n>-value} or the value subject of that product's dead-letter topic. */
    private static boolean ownsProductSubject(String domain, String subject) {
        if (!subject.endsWith(MeshTopics.valueSubject(""))) {
            return false;
        }
        String topic = subject.substring(0, subject.length() - MeshTopics.valueSubject("").length());
        int lastDot = topic.lastIndexOf('.');
        return address(topic).or(() -> lastDot < 0 ? Optional.empty() : address(topic.substring(0, lastDot)))
                .filter(address -> address.domain().equals(domain))
                .filter(address -> topic.equals(address.topic()) || topic.equals(address.deadLetterTopic()))
                .isPresent();
    }

    private static Optional<ProductAddress> address(String text) {
        return ProductAddress.isValid(text) ? Optional.of(ProductAddress.parse(text)) : Optional.empty();
    }
}
