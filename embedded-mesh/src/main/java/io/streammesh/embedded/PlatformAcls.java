package io.streammesh.embedded;

import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of the platform's principals and of each domain. The broker denies
 * whatever is not listed here or granted later by the policy-enforcer.
 */
public final class PlatformAcls {

    /** What an auditor reads: the tables of {@code mesh audit query} (audit, catalog, grants). */
    static final List<String> AUDITED_TOPICS = List.of(MeshTopics.AUDIT, MeshTopics.CATALOG, MeshTopics.ACCESS_GRANTS);

    private PlatformAcls() {
    }

    /**
     * @param app a platform app
     * @return what it may do, whatever the domains
     */
    public static List<AclBinding> platformApp(PlatformApp app) {
        var acls = new Acls(app.principal());
        // Kafka Streams internals: changelogs, repartition topics, group, transactional ids.
        acls.allow(TOPIC, app.applicationId(), PREFIXED, ALL);
        acls.allow(GROUP, app.applicationId(), PREFIXED, READ, DESCRIBE);
        acls.allow(TRANSACTIONAL_ID, app.applicationId(), PREFIXED, WRITE, DESCRIBE);
        switch (app) {
            case CATALOG -> {
                acls.allow(TOPIC, MeshTopics.REGISTRATIONS_PREFIX, PREFIXED, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.DECISIONS_PREFIX, PREFIXED, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.ACCESS_REQUESTS_PREFIX, PREFIXED, READ, DESCRIBE);
                for (String topic : List.of(MeshTopics.CATALOG, MeshTopics.CATALOG_REJECTIONS,
                        MeshTopics.ACCESS_GRANTS, MeshTopics.PRODUCT_STATS)) {
                    acls.allow(TOPIC, topic, LITERAL, READ, WRITE, DESCRIBE);
                }
                acls.allow(TOPIC, MeshTopics.VIEW_STATUS, LITERAL, READ, DESCRIBE);
                // Each product's consumers, as the audit sums them, for its owner and the platform.
                acls.allow(TOPIC, MeshTopics.CONSUMPTION, LITERAL, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.AUDIT_CHAIN, LITERAL, READ, DESCRIBE);
                // Reads of the catalog REST API are reported beside the broker's authorisations.
                acls.allow(TOPIC, MeshTopics.AUDIT_RAW, LITERAL, WRITE, DESCRIBE);
                // Health shows the gate's lag: its committed offsets, read only (no READ: it cannot join, commit or reset them).
                acls.allow(GROUP, PlatformApp.GATE.applicationId(), LITERAL, DESCRIBE);
            }
            case ENFORCER -> {
                acls.allow(TOPIC, MeshTopics.CATALOG, LITERAL, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.ACCESS_GRANTS, LITERAL, READ, DESCRIBE);
                // The views, and mesh.view.status beside them.
                acls.allow(TOPIC, MeshTopics.VIEW_PREFIX, PREFIXED, CREATE, WRITE, READ, DESCRIBE, DESCRIBE_CONFIGS);
                // Creating and deleting the ACLs of grants needs ALTER on the cluster.
                acls.allow(CLUSTER, "kafka-cluster", LITERAL, ALTER, DESCRIBE);
            }
            case AUDIT -> {
                acls.allow(TOPIC, MeshTopics.AUDIT, LITERAL, READ, WRITE, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.CONSUMPTION, LITERAL, WRITE, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.AUDIT_CHAIN, LITERAL, WRITE, DESCRIBE);
                for (String topic : List.of(MeshTopics.AUDIT_RAW, MeshTopics.ACCESS_GRANTS,
                        MeshTopics.CATALOG, MeshTopics.CATALOG_REJECTIONS)) {
                    acls.allow(TOPIC, topic, LITERAL, READ, DESCRIBE);
                }
                acls.allow(TOPIC, MeshTopics.ACCESS_REQUESTS_PREFIX, PREFIXED, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.REGISTRATIONS_PREFIX, PREFIXED, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.DECISIONS_PREFIX, PREFIXED, READ, DESCRIBE);
                acls.allow(TOPIC, MeshTopics.ERASURES_PREFIX, PREFIXED, READ, DESCRIBE);
                // The consumption ledger reads every group's committed offsets (the broker checks
                // DESCRIBE on each topic a group has committed on), and the group ACLs that say
                // whose group it is.
                acls.allow(TOPIC, "*", LITERAL, DESCRIBE);
                acls.allow(GROUP, "*", LITERAL, DESCRIBE);
                // It counts the records of the ranges groups committed (offsets are not records on
                // transactional topics): views here, each domain's products in domain().
                acls.allow(TOPIC, MeshTopics.VIEW_PREFIX, PREFIXED, READ);
                acls.allow(CLUSTER, "kafka-cluster", LITERAL, DESCRIBE);
            }
            // Contracts come from the catalog; the domains' ingest and product topics in domain().
            case GATE -> acls.allow(TOPIC, MeshTopics.CATALOG, LITERAL, READ, DESCRIBE);
        }
        return acls.bindings;
    }

    /**
     * @return what meshes before per-principal request topics let every principal do: write the
     *         shared {@code mesh.access.requests}, in anyone's name. {@code mesh up} deletes these.
     */
    public static List<AclBinding> sharedRequestsOfOldMeshes() {
        var acls = new Acls(MeshNames.EVERY_USER);
        acls.allow(TOPIC, MeshTopics.ACCESS_REQUESTS, LITERAL, WRITE, DESCRIBE);
        return acls.bindings;
    }

    /**
     * @param auditor an auditor's principal
     * @return what it may do: read (and describe) the audit trail, the catalog and the grants,
     *         with consumer groups named {@code <auditor>.*} (the dot keeps one auditor's prefix
     *         off another principal's groups); nothing else, and no WRITE anywhere
     */
    public static List<AclBinding> auditor(MeshPrincipal auditor) {
        var acls = new Acls(auditor);
        for (String topic : AUDITED_TOPICS) {
            acls.allow(TOPIC, topic, LITERAL, READ, DESCRIBE);
        }
        acls.allow(GROUP, auditor.name() + ".", PREFIXED, READ, DESCRIBE);
        return acls.bindings;
    }

    /**
     * @param principal a principal that may ask for access
     * @return its right to write its own request topic, which only it (and the platform) may
     *         write: so a request read there was filed by that principal
     */
    public static List<AclBinding> requester(MeshPrincipal principal) {
        var acls = new Acls(principal);
        acls.allow(TOPIC, MeshTopics.accessRequests(principal.name()), LITERAL, WRITE, DESCRIBE);
        return acls.bindings;
    }

    /**
     * @param principal a principal that may ask for access (a domain or a team)
     * @return its right to write (and read back) its own decision topic, which only it may
     *         write: a decision read there was given by that principal, as the owning domain or
     *         as a second-level approver a view names
     */
    public static List<AclBinding> approver(MeshPrincipal principal) {
        var acls = new Acls(principal);
        acls.allow(TOPIC, MeshTopics.decisions(principal.name()), LITERAL, WRITE, READ, DESCRIBE);
        return acls.bindings;
    }

    /**
     * @param domain a domain name
     * @return what the domain's principal may do (read {@code <domain>.*} and create its own apps'
     *         topics there, write its registrations and decisions), and what the platform apps may
     *         do with its products (the enforcer creates their topics, the catalog and the enforcer
     *         read them, the audit counts what groups read, the contract gate moves records from
     *         their ingest topics to them)
     */
    public static List<AclBinding> domain(String domain) {
        String prefix = domain + ".";
        var owner = new Acls(MeshNames.kafkaPrincipal(domain));
        // No WRITE: only the contract gate writes products and their dead-letter topics (with the
        // reasons only the mesh may give). The domain writes a product's ingest topic, literal,
        // granted by the policy-enforcer once the product is catalogued. No ALTER_CONFIGS: a topic
        // config the gate's writes cannot meet (max.message.bytes, compaction, timestamp limits)
        // would stall the gate for every domain; the enforcer sets its products' configs. CREATE is
        // for the domain's own apps' topics: a product's three topics, which the platform's shared
        // apps read by pattern, only the platform creates (the broker's ProductTopicCreation rule).
        owner.allow(TOPIC, prefix, PREFIXED, CREATE, READ, DESCRIBE, DESCRIBE_CONFIGS);
        owner.allow(GROUP, prefix, PREFIXED, READ, DESCRIBE);
        owner.allow(TRANSACTIONAL_ID, prefix, PREFIXED, WRITE, DESCRIBE);
        // It reads back its own registrations (to publish idempotently, to retire) and decisions.
        owner.allow(TOPIC, MeshTopics.registrations(domain), LITERAL, WRITE, READ, DESCRIBE);
        owner.allow(TOPIC, MeshTopics.decisions(domain), LITERAL, WRITE, READ, DESCRIBE);
        // It asks for its subjects' erasure there; the platform, not the domain, destroys the keys.
        owner.allow(TOPIC, MeshTopics.erasures(domain), LITERAL, WRITE, READ, DESCRIBE);
        List<AclBinding> all = new ArrayList<>(owner.bindings);
        // Product health (catalog) and views (enforcer) read the domain's products; the enforcer
        // creates a catalogued product's topics, brings them to the mesh's configs before the domain
        // may write it, and adds the partitions a republished contract asks for (ALTER), which the domain may not.
        all.addAll(new Acls(PlatformApp.CATALOG.principal().kafkaPrincipal()).allow(TOPIC, prefix, PREFIXED, READ, DESCRIBE)
                // Its key service hands data keys to grantees allowed to decrypt; it never writes one.
                .allow(TOPIC, MeshTopics.keys(domain), LITERAL, READ, DESCRIBE).bindings);
        all.addAll(new Acls(PlatformApp.ENFORCER.principal().kafkaPrincipal())
                .allow(TOPIC, prefix, PREFIXED, CREATE, READ, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS, ALTER)
                // Its views open encrypted fields in memory: it reads the data keys, never creates nor erases one (no WRITE).
                .allow(TOPIC, MeshTopics.keys(domain), LITERAL, READ, DESCRIBE).bindings);
        // The audit's consumption ledger counts the records groups read there.
        all.addAll(new Acls(PlatformApp.AUDIT.principal().kafkaPrincipal()).allow(TOPIC, prefix, PREFIXED, READ).bindings);
        // The contract gate reads the ingest topics, writes the products and their dead-letter
        // topics, and deletes the ingest records it has processed (DELETE: delete-records).
        all.addAll(new Acls(PlatformApp.GATE.principal().kafkaPrincipal())
                .allow(TOPIC, prefix, PREFIXED, READ, WRITE, DESCRIBE, AclOperation.DELETE)
                // It creates the data keys of the subjects it encrypts, and sees erasures. The
                // domain itself has no right on its key topic: it erases through the platform.
                .allow(TOPIC, MeshTopics.keys(domain), LITERAL, READ, WRITE, DESCRIBE)
                .allow(TOPIC, MeshTopics.erasures(domain), LITERAL, READ, DESCRIBE).bindings);
        return all;
    }

    /**
     * @param domain a domain name
     * @return what older meshes let the domain do besides {@link #domain}: write every topic
     *         {@code <domain>.*}, its products and their dead-letter topics included, and change
     *         their configs. {@code mesh up} deletes it.
     */
    public static List<AclBinding> domainRightsOfOldMeshes(String domain) {
        return new Acls(MeshNames.kafkaPrincipal(domain)).allow(TOPIC, domain + ".", PREFIXED, WRITE, ALTER_CONFIGS).bindings;
    }

    private static final class Acls {
        private final String principal;
        private final List<AclBinding> bindings = new ArrayList<>();

        Acls(MeshPrincipal principal) {
            this(principal.kafkaPrincipal());
        }

        Acls(String principal) {
            this.principal = principal;
        }

        Acls allow(ResourceType type, String name, PatternType pattern, AclOperation... operations) {
            for (AclOperation operation : operations) {
                bindings.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
            }
            return this;
        }
    }
}
