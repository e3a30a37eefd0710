package io.streammesh.authorizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Endpoint;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.metadata.authorizer.StandardAuthorizer;
import org.apache.kafka.server.authorizer.Action;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.authorizer.AuthorizationResult;
import org.apache.kafka.server.authorizer.AuthorizerServerInfo;

/**
 * Kafka's {@link StandardAuthorizer} (ACLs in KRaft, deny by default) that also reports every
 * decision it makes to {@code mesh.audit.raw}: allowed ones counted per second per principal,
 * client, operation and resource, denied ones likewise and never sampled. Reporting is
 * asynchronous: the request path only bumps a counter. Besides the ACLs it holds one rule of the
 * mesh's: only the platform creates a product's topics ({@link ProductTopicCreation}), a refusal
 * reported as any other.
 *
 * <p>Broker configuration ({@code server.properties}): {@code authorizer.class.name=}this class,
 * and the keys of {@link AuditAuthorizerConfig}.
 * A denied check Kafka makes only to probe a permission (it does not log it, e.g. the
 * IDEMPOTENT_WRITE check of InitProducerId before it falls back to topic WRITE) is reported with
 * {@code probe=true} rather than as a refusal. An allowed check Kafka makes only to answer which
 * operations a client may perform ({@code logIfAllowed=false}: the authorized operations a
 * describe returns, eight per topic) is no access and is not reported; the describe's own check
 * is. The cluster's own plumbing (CLUSTER_ACTION by a super user) and the shipper's own writes
 * are not reported.
 */
public class AuditingAuthorizer extends StandardAuthorizer {

    private static final String SHIPPER_CLIENT_ID = "mesh-audit-authorizer";

    private Path clientConfig;
    private Path spoolDir;
    private int maxKeys;
    private int maxBacklog;
    private Set<String> controllerListeners = Set.of();
    private Set<KafkaPrincipal> superUsers = Set.of();
    private volatile DecisionCounts counts;
    private volatile AuthorizerDecisionMeters decisionMeters;
    private AuthorizationShipper shipper;

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        clientConfig = Path.of(required(configs, AuditAuthorizerConfig.CLIENT_CONFIG));
        spoolDir = Path.of(required(configs, AuditAuthorizerConfig.SPOOL_DIR));
        maxKeys = positive(configs, AuditAuthorizerConfig.MAX_KEYS, AuditAuthorizerConfig.DEFAULT_MAX_KEYS);
        maxBacklog = positive(configs, AuditAuthorizerConfig.MAX_BACKLOG, AuditAuthorizerConfig.DEFAULT_MAX_BACKLOG);
        Object controllers = configs.get("controller.listener.names");
        if (controllers != null) {
            controllerListeners = Set.of(controllers.toString().split("\\s*,\\s*"));
        }
        Object supers = configs.get(SUPER_USERS_CONFIG);
        if (supers != null && !supers.toString().isBlank()) {
            var parsed = new HashSet<KafkaPrincipal>();
            for (String user : supers.toString().split("\\s*;\\s*")) {
                parsed.add(org.apache.kafka.common.utils.SecurityUtils.parseKafkaPrincipal(user));
            }
            superUsers = Set.copyOf(parsed);
        }
    }

    /**
     * Kafka's authorizer metrics, plus the decisions this authorizer reports counted by outcome
     * ({@link AuthorizerDecisionMeters}); Kafka calls this on each instance before {@code start}.
     */
    @Override
    public void withPluginMetrics(PluginMetrics metrics) {
        super.withPluginMetrics(metrics);
        decisionMeters = new AuthorizerDecisionMeters(metrics);
    }

    /**
     * Starts reporting. In combined mode Kafka makes two instances: the broker's, which sees
     * clients' requests, and the controller's, which sees the requests brokers forward for
     * clients (topic creation and deletion, ACL and config changes). Each ships on its own and
     * spools into its own directory.
     */
    @Override
    public Map<Endpoint, ? extends CompletionStage<Void>> start(AuthorizerServerInfo serverInfo) {
        var started = super.start(serverInfo);
        boolean servesClients = serverInfo.endpoints().stream().anyMatch(e -> !controllerListeners.contains(e.listener()));
        String role = servesClients ? "broker" : "controller";
        var decisionCounts = new DecisionCounts(maxKeys, serverInfo.brokerId());
        shipper = new AuthorizationShipper(decisionCounts, new AuthorizationSpool(spoolDir.resolve(role)), clientConfig,
                SHIPPER_CLIENT_ID + "-" + role + "-" + serverInfo.brokerId(), maxBacklog);
        shipper.start();
        counts = decisionCounts;
        return started;
    }

    @Override
    public List<AuthorizationResult> authorize(AuthorizableRequestContext context, List<Action> actions) {
        List<AuthorizationResult> results = new ArrayList<>(super.authorize(context, actions));
        if (!superUsers.contains(context.principal())) {
            for (int i = 0; i < actions.size(); i++) {
                if (results.get(i) == AuthorizationResult.ALLOWED && ProductTopicCreation.refuses(context.principal(), actions.get(i))) {
                    results.set(i, AuthorizationResult.DENIED);
                }
            }
        }
        DecisionCounts current = counts;
        if (current != null) {
            long second = System.currentTimeMillis() / 1000;
            String principal = context.principal().toString();
            String address = context.clientAddress() == null ? null : context.clientAddress().getHostAddress();
            for (int i = 0; i < actions.size(); i++) {
                Action action = actions.get(i);
                if (!reported(context, action)) {
                    continue;
                }
                boolean allowed = results.get(i) == AuthorizationResult.ALLOWED;
                if (allowed && !action.logIfAllowed()) {
                    continue;
                }
                boolean probe = !allowed && !action.logIfDenied();
                current.add(new DecisionCounts.Key(second, principal, address,
                        action.operation().name(), action.resourcePattern().resourceType().name(),
                        action.resourcePattern().name(), allowed, probe));
                AuthorizerDecisionMeters meters = decisionMeters;
                if (meters != null) {
                    meters.record(allowed, probe);
                }
            }
        }
        return results;
    }

    /**
     * Leaves out the cluster's own plumbing (brokers' heartbeats, registrations and replication,
     * all CLUSTER_ACTION by a super user) and the shipper's own writes; only a super user can pass
     * for either, anyone else is reported.
     */
    private boolean reported(AuthorizableRequestContext context, Action action) {
        if (!superUsers.contains(context.principal())) {
            return true;
        }
        if (action.operation() == AclOperation.CLUSTER_ACTION) {
            return false;
        }
        return !(context.clientId() != null && context.clientId().startsWith(SHIPPER_CLIENT_ID));
    }

    @Override
    public void close() throws java.io.IOException {
        counts = null;
        if (shipper != null) {
            shipper.close();
        }
        super.close();
    }

    private static String required(Map<String, ?> configs, String key) {
        Object value = configs.get(key);
        if (value == null || value.toString().isBlank()) {
            throw new ConfigException(key, value, "the AuditingAuthorizer needs it");
        }
        return value.toString();
    }

    private static int positive(Map<String, ?> configs, String key, int defaultValue) {
        Object value = configs.get(key);
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.toString().strip());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(key, value, "not a whole number");
        }
        throw new ConfigException(key, value, "must be positive");
    }
}
