package io.streammesh.embedded;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.MeshEndpoints;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Bootstraps the mesh on a Kafka cluster and a registry it did not start ({@code mesh platform
 * init}): the same {@link Onboarding#ensurePlatform()} the embedded mesh runs at every start
 * (platform topics, the platform apps' principals with SCRAM credentials set through the Admin
 * API, their ACLs, the platform's schemas), plus the registry's global rules. Idempotent: a
 * second run finds everything in place and changes nothing.
 *
 * <p>It acts as {@code User:mesh-admin}, the cluster's super user, and keeps what it creates in a
 * state directory: the credential store (which the registry and the catalog's REST API check, so
 * it must be the file the registry is started with) and each principal's client config.
 */
public final class PlatformInit {

    /** The path of the registry's v2 API, which client configs name; the endpoints want its base. */
    private static final String REGISTRY_API = "/apis/registry/v2";

    private PlatformInit() {
    }

    /**
     * What one run created; all empty when the platform was in place already.
     *
     * @param endpoints where clients reach the cluster and the registry
     * @param topics the topics it created
     * @param principals the principals it created (in the credential store and on the cluster)
     * @param acls the number of ACLs it created
     * @param configured the existing topics it gave configs this version added, each with what it set
     */
    public record Outcome(MeshEndpoints endpoints, List<String> topics, List<String> principals, int acls, List<String> configured) {

        /** @return whether the run found everything in place */
        public boolean changedNothing() {
            return topics.isEmpty() && principals.isEmpty() && acls == 0 && configured.isEmpty();
        }
    }

    /**
     * @param admin mesh-admin's client config, naming the registry ({@code apicurio.registry.url})
     * @return the cluster and the registry it names
     * @throws MeshException if it names no registry
     */
    public static MeshEndpoints endpoints(MeshClientConfig admin) {
        String api = admin.registryUrlText();
        String base = api.endsWith(REGISTRY_API) ? api.substring(0, api.length() - REGISTRY_API.length()) : api;
        return new MeshEndpoints(admin.bootstrap(), base);
    }

    /**
     * Brings the platform into place on the cluster mesh-admin's config reaches.
     *
     * @param admin mesh-admin's client config (SCRAM-SHA-512 or PLAIN; with {@code apicurio.registry.url})
     * @param state where the credential store and the client configs are kept
     * @return what it created
     * @throws MeshException if the config is not mesh-admin's, or the cluster or the registry refuses
     */
    public static Outcome run(MeshClientConfig admin, StateDirectory state) {
        if (!admin.principal().equals(MeshPrincipal.ADMIN.name())) {
            throw new MeshException("mesh platform init acts as " + MeshPrincipal.ADMIN.kafkaPrincipal()
                    + " (the cluster's super user), but the client config logs in as " + admin.kafkaPrincipal());
        }
        state.prepare();
        MeshEndpoints endpoints = endpoints(admin);
        try (Admin kafka = Admin.create(admin.kafka())) {
            Snapshot before = Snapshot.of(kafka, state);
            var onboarding = Onboarding.onCluster(kafka, state, endpoints);
            String password = admin.password().reveal();
            if (!CredentialStore.at(state.credentials()).authenticate(MeshPrincipal.ADMIN.name(), password) || !hasScram(kafka)) {
                // The registry checks mesh-admin against the store; the client config written for it logs in over SCRAM.
                onboarding.setPassword(MeshPrincipal.ADMIN, password);
            } else {
                new ClientConfigs(state.clients()).write(MeshPrincipal.ADMIN, password, endpoints);
            }
            RegistryProcess.applyGlobalRules(RegistryProcess.adminClient(), endpoints.registryUrl(), password);
            onboarding.ensurePlatform();
            Snapshot after = Snapshot.of(kafka, state);
            return new Outcome(endpoints, added(before.topics, after.topics), added(before.principals, after.principals),
                    (int) after.acls.stream().filter(acl -> !before.acls.contains(acl)).count(), onboarding.topicsConfigured());
        }
    }

    private static boolean hasScram(Admin kafka) {
        return KafkaCalls.await(kafka.describeUserScramCredentials().all(), "describe the SCRAM credentials")
                .containsKey(MeshPrincipal.ADMIN.name());
    }

    /** The cluster's topics and ACLs and the store's principals at one moment. */
    private record Snapshot(Set<String> topics, Set<String> principals, Set<AclBinding> acls) {

        static Snapshot of(Admin kafka, StateDirectory state) {
            Set<String> topics = KafkaCalls.await(kafka.listTopics().names(), "list the topics");
            Set<String> principals = new HashSet<>(CredentialStore.at(state.credentials()).principals().stream()
                    .map(MeshPrincipal::name).toList());
            Set<AclBinding> acls = new HashSet<>(KafkaCalls.await(kafka.describeAcls(AclBindingFilter.ANY).values(), "list the ACLs"));
            return new Snapshot(topics, principals, acls);
        }
    }

    private static List<String> added(Set<String> before, Set<String> after) {
        return after.stream().filter(name -> !before.contains(name)).sorted().toList();
    }
}
