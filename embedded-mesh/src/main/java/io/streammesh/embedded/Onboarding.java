package io.streammesh.embedded;

import io.streammesh.client.ClientConfigs;
import io.streammesh.client.KafkaCalls;
import io.streammesh.client.MeshEndpoints;
import io.streammesh.client.PlatformApp;
import io.streammesh.credentials.CredentialStore;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.PrincipalKind;
import io.streammesh.schema.ProductAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How platform engineers bring principals and domains into the mesh. Every principal gets a
 * password known to both of the broker's credential stores (the mesh's PLAIN store and KRaft's
 * SCRAM credentials) and its client configs; domains and teams get their request topic
 * {@code mesh.access.requests.<name>} and decision topic {@code mesh.decisions.<name>}, which
 * only they may write; a domain also gets its topics and ACLs; an auditor only reads the audit
 * trail, the catalog and the grants ({@link PlatformAcls#auditor}).
 *
 * <p>Acts through the Admin API as {@code User:mesh-admin}, so it works the same in the
 * process running the mesh and in a CLI beside it.
 */
public final class Onboarding {

    private static final Logger LOG = LoggerFactory.getLogger(Onboarding.class);
    private static final int SCRAM_ITERATIONS = 8192;
    private static final Duration PLATFORM_TOPICS_PATIENCE = Duration.ofSeconds(120);

    private final Admin admin;
    /** What {@link #createTopics} set on existing topics, for {@code mesh platform init} to report. */
    private final List<String> configured = new ArrayList<>();
    private final CredentialStore credentials;
    private final ClientConfigs clientConfigs;
    private final MeshEndpoints endpoints;
    private final Set<LoginCheck.Mechanism> logins;

    /**
     * @param admin an Admin client authenticated as mesh-admin
     * @param state the mesh's state directory (credential store and client configs)
     * @param endpoints where the mesh listens, for the client configs
     */
    public Onboarding(Admin admin, StateDirectory state, MeshEndpoints endpoints) {
        this(admin, state, endpoints, EnumSet.allOf(LoginCheck.Mechanism.class));
    }

    private Onboarding(Admin admin, StateDirectory state, MeshEndpoints endpoints, Set<LoginCheck.Mechanism> logins) {
        this.admin = admin;
        this.credentials = CredentialStore.at(state.credentials());
        this.clientConfigs = new ClientConfigs(state.clients());
        this.endpoints = endpoints;
        this.logins = logins;
    }

    /**
     * Onboarding on a cluster the mesh did not start (an operator's brokers): its PLAIN logins
     * are the operator's (a static JAAS list, say), not the mesh's credential store, so a new
     * principal is awaited over SCRAM-SHA-512 only, the mechanism of the client configs the mesh
     * writes. The credential store still gets every principal: the registry and the catalog's
     * REST API check it.
     *
     * @param admin an Admin client authenticated as mesh-admin
     * @param state the directory holding the credential store and the client configs
     * @param endpoints where clients reach the cluster and the registry
     * @return onboarding on that cluster
     */
    public static Onboarding onCluster(Admin admin, StateDirectory state, MeshEndpoints endpoints) {
        return new Onboarding(admin, state, endpoints, EnumSet.of(LoginCheck.Mechanism.SCRAM));
    }

    /**
     * Creates the platform topics, the platform apps' principals and their ACLs, and every
     * principal's request topic, and each domain's and auditor's ACLs again, and sets the
     * {@linkplain TenantQuota tenants' quotas}; idempotent. On a mesh from before
     * per-principal request topics it also takes away the WRITE every principal had on the shared
     * {@code mesh.access.requests}; on one from before the contract gate, the gate gets its ACLs on
     * every domain's topics, and the domains lose their WRITE on {@code <domain>.*}: only the gate
     * writes products and their dead-letter topics. A catalogued product without an ingest topic
     * gets one from the policy-enforcer, as any product gets its topics.
     */
    public void ensurePlatform() {
        createPlatformTopics(PlatformTopics.platform());
        schemas().registerPlatform();
        List<AclBinding> acls = new ArrayList<>();
        for (PlatformApp app : PlatformApp.values()) {
            ensurePrincipal(app.principal().name(), PrincipalKind.PLATFORM);
            acls.addAll(PlatformAcls.platformApp(app));
        }
        List<MeshPrincipal> requesters = principals().stream().filter(Onboarding::asksForAccess).toList();
        createPlatformTopics(requesters.stream().flatMap(p -> requesterTopics(p).stream()).toList());
        requesters.forEach(this::registerSchemas);
        requesters.forEach(p -> acls.addAll(requesterAcls(p)));
        // Domains onboarded before a platform app existed (the contract gate) get its ACLs on their topics now.
        List<String> domains = requesters.stream().filter(p -> p.kind() == PrincipalKind.DOMAIN).map(MeshPrincipal::name).toList();
        // Domains onboarded before field encryption get their key and erasure topics, and those from before the broker
        // stamped record times get it on their registrations and decisions (the catalog orders access records by them).
        createPlatformTopics(domains.stream().flatMap(domain -> PlatformTopics.domain(domain).stream()).toList());
        domains.forEach(domain -> acls.addAll(PlatformAcls.domain(domain)));
        // and the schemas of this version on their registration and decision topics (a requester's withdrawal is a decision)
        domains.forEach(schemas()::registerDomain);
        principals().stream().filter(p -> p.kind() == PrincipalKind.AUDITOR).forEach(p -> acls.addAll(PlatformAcls.auditor(p)));
        createAcls(acls, "create the platform's ACLs");
        TenantQuota.DEFAULT.ensure(admin);
        KafkaCalls.await(admin.deleteAcls(PlatformAcls.sharedRequestsOfOldMeshes().stream().map(AclBinding::toFilter).toList()).all(),
                "remove the WRITE every principal had on " + MeshTopics.ACCESS_REQUESTS);
        // Older meshes let a domain write its products and change their configs: only the gate
        // writes them now, and only the enforcer configures them.
        List<AclBinding> oldRights = domains.stream().flatMap(domain -> PlatformAcls.domainRightsOfOldMeshes(domain).stream()).toList();
        if (!oldRights.isEmpty()) {
            KafkaCalls.await(admin.deleteAcls(oldRights.stream().map(AclBinding::toFilter).toList()).all(),
                    "remove the domains' WRITE and ALTER_CONFIGS on their products and dead-letter topics");
        }
    }

    /**
     * Adds a new principal; returns once it can log in.
     *
     * @param name its name, with or without {@code User:}
     * @param kind what it is for
     * @return the principal
     * @throws MeshException if it exists already
     */
    public MeshPrincipal addPrincipal(String name, PrincipalKind kind) {
        String bare = MeshPrincipal.bareName(name);
        credentials.find(bare).ifPresent(existing -> {
            throw new MeshException("principal " + MeshNames.kafkaPrincipal(bare) + " already exists (" + existing.kind().name().toLowerCase()
                    + "); its client config is " + clientConfigs.propertiesFile(bare));
        });
        return create(new MeshPrincipal(bare, kind));
    }

    /**
     * Adds a principal unless it exists.
     *
     * @param name its name
     * @param kind what it is for
     * @return the principal, new or existing
     * @throws MeshException if it exists with another kind
     */
    public MeshPrincipal ensurePrincipal(String name, PrincipalKind kind) {
        String bare = MeshPrincipal.bareName(name);
        var existing = credentials.find(bare);
        if (existing.isPresent()) {
            if (existing.get().kind() != kind) {
                throw new MeshException("principal " + MeshNames.kafkaPrincipal(bare) + " already exists as a "
                        + existing.get().kind().name().toLowerCase() + " principal, not a " + kind.name().toLowerCase() + " one");
            }
            return existing.get();
        }
        return create(new MeshPrincipal(bare, kind));
    }

    /**
     * Onboards a domain: its principal {@code User:<domain>} (READ/DESCRIBE on topics
     * {@code <domain>.*}, CREATE there but for products' topics, which the policy-enforcer creates;
     * WRITE only on each product's ingest topic, from the policy-enforcer), its registration and decision topics (which only it may write), and
     * the platform apps' read access to its products. Idempotent; returns once the broker
     * enforces its ACLs.
     *
     * @param domain the domain name, lower-case kebab case
     * @return the domain's principal
     */
    public MeshPrincipal addDomain(String domain) {
        try {
            ProductAddress.checkName("domain", domain);
        } catch (IllegalArgumentException e) {
            throw new MeshException(e.getMessage());
        }
        if (MeshNames.isPlatformName(domain)) {
            throw new MeshException("domain name '" + domain + "' is reserved: the platform's own topics start with mesh., and its apps' "
                    + "topics and groups with mesh-");
        }
        MeshPrincipal principal = ensurePrincipal(domain, PrincipalKind.DOMAIN);
        createTopics(PlatformTopics.domain(domain));
        schemas().registerDomain(domain);
        createAcls(PlatformAcls.domain(domain), "create the ACLs of domain " + domain);
        return principal;
    }

    /** @return every principal of the mesh */
    public List<MeshPrincipal> principals() {
        return credentials.principals();
    }

    /**
     * Sets a principal's password in both credential stores and writes its client configs;
     * returns once the broker accepts it over SCRAM-SHA-512 and PLAIN.
     *
     * @param principal the principal
     * @param password the password
     */
    void setPassword(MeshPrincipal principal, String password) {
        credentials.put(principal, password);
        KafkaCalls.await(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(principal.name(),
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password))).all(),
                "set the SCRAM credential of " + principal.kafkaPrincipal());
        clientConfigs.write(principal, password, endpoints);
        LoginCheck.awaitAccepted(endpoints.bootstrapServers(), principal, password, logins);
    }

    private MeshPrincipal create(MeshPrincipal principal) {
        boolean tenant = principal.kind() == PrincipalKind.DOMAIN || principal.kind() == PrincipalKind.TEAM
                || principal.kind() == PrincipalKind.AUDITOR;
        if (tenant && MeshNames.isPlatformName(principal.name())) {
            throw new MeshException(principal.kind().name().toLowerCase(Locale.ROOT) + " name '" + principal.name() + "' is reserved: the "
                    + "platform's topics and groups start with " + MeshNames.PLATFORM_NAME + " (its apps' ACLs cover mesh-<app>*), so a tenant's would be"
                    + " the platform's");
        }
        setPassword(principal, CredentialStore.newPassword());
        if (principal.kind() == PrincipalKind.AUDITOR) {
            createAcls(PlatformAcls.auditor(principal), "create the read-only ACLs of auditor " + principal.kafkaPrincipal());
        }
        if (asksForAccess(principal)) {
            createTopics(requesterTopics(principal));
            registerSchemas(principal);
            createAcls(requesterAcls(principal), "create the request and decision topic ACLs of " + principal.kafkaPrincipal());
        }
        return principal;
    }

    /**
     * A principal's own request topic, and a team's decision topic: it may be named a
     * second-level approver (a domain's decision topic comes with the domain, {@link #addDomain}).
     */
    private static List<NewTopic> requesterTopics(MeshPrincipal principal) {
        return principal.kind() == PrincipalKind.TEAM
                ? List.of(PlatformTopics.requests(principal.name()), PlatformTopics.decisions(principal.name()))
                : List.of(PlatformTopics.requests(principal.name()));
    }

    private void registerSchemas(MeshPrincipal principal) {
        schemas().registerRequests(principal.name());
        if (principal.kind() == PrincipalKind.TEAM) {
            schemas().registerDecisions(principal.name());
        }
    }

    private static List<AclBinding> requesterAcls(MeshPrincipal principal) {
        List<AclBinding> acls = new ArrayList<>(PlatformAcls.requester(principal));
        if (principal.kind() == PrincipalKind.TEAM) {
            acls.addAll(PlatformAcls.approver(principal));
        }
        return acls;
    }

    /** The platform's schemas, registered as mesh-admin (whose client config exists once the mesh started). */
    private PlatformSchemas schemas() {
        return new PlatformSchemas(clientConfigs.config(MeshPrincipal.ADMIN.name()));
    }

    /** Domains and teams read others' products; the admin, the platform apps and auditors never ask. */
    private static boolean asksForAccess(MeshPrincipal principal) {
        return principal.kind() == PrincipalKind.DOMAIN || principal.kind() == PrincipalKind.TEAM;
    }

    /**
     * As {@link #createTopics}, with the patience a starting mesh can afford: right after a
     * cluster starts on a loaded machine, one batch can outlast an Admin timeout (a creation that
     * did go through is found existing on the next try). The last failure names the quorum's state.
     */
    private void createPlatformTopics(List<NewTopic> topics) {
        long deadline = System.nanoTime() + PLATFORM_TOPICS_PATIENCE.toNanos();
        while (true) {
            try {
                createTopics(topics);
                return;
            } catch (MeshException e) {
                if (!timedOut(e)) {
                    throw e;
                }
                if (System.nanoTime() > deadline) {
                    throw new MeshException(e.getMessage() + " (tried for " + PLATFORM_TOPICS_PATIENCE.toSeconds() + " s; "
                            + QuorumReport.of(admin) + ")", e);
                }
                LOG.warn("Creating the platform's topics is slow ({}); trying again. {}", e.getMessage(), QuorumReport.of(admin));
            }
        }
    }

    private static boolean timedOut(MeshException failure) {
        return failure.getCause() instanceof java.util.concurrent.TimeoutException
                || failure.getCause() instanceof org.apache.kafka.common.errors.TimeoutException;
    }

    /**
     * Creates the topics that are missing and gives those that existed the configs this version
     * added ({@link PlatformTopicConfigs}); a topic just created has them, and may not be known to
     * every broker yet.
     */
    private void createTopics(List<NewTopic> topics) {
        Set<String> existing = KafkaCalls.createMissing(admin, topics);
        Map<ConfigResource, Map<String, String>> wanted = topics.stream()
                .filter(topic -> existing.contains(topic.name()) && topic.configs() != null && !topic.configs().isEmpty())
                .collect(Collectors.toMap(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic.name()), NewTopic::configs, (a, b) -> a));
        if (!wanted.isEmpty()) {
            configured.addAll(PlatformTopicConfigs.apply(admin, wanted));
        }
    }

    /** @return the topics this onboarding gave configs this version added, with what it set, oldest first */
    public List<String> topicsConfigured() {
        return List.copyOf(configured);
    }

    /** Returns once the broker enforces them, so the principal's first request is not refused. */
    private void createAcls(List<AclBinding> acls, String what) {
        KafkaCalls.await(admin.createAcls(acls).all(), what);
        AclCheck.awaitEnforced(admin, acls);
    }
}
