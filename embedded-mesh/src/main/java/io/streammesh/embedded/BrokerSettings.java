package io.streammesh.embedded;

import io.streammesh.authorizer.MeshTopicPolicy;
import io.streammesh.schema.MeshPrincipal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;

/**
 * The broker settings every mesh broker shares, in-JVM or in a container: how it authenticates
 * and authorises, and the single-node defaults. Where it listens stays with whoever starts it.
 */
public final class BrokerSettings {

    /**
     * The longest transaction timeout a producer may ask for (Kafka's default, stated so that
     * {@link HangingTransactions} knows when a transaction no coordinator knows can no longer be live).
     */
    static final Duration TRANSACTION_MAX_TIMEOUT = Duration.ofMinutes(15);

    private BrokerSettings() {
    }

    /**
     * SASL on every listener named: PLAIN checked against the mesh's credential store (the broker
     * itself logs in as mesh-admin), SCRAM-SHA-512 for clients on the listeners that take them;
     * deny by default with {@code User:mesh-admin} the only super user; no topic created by a
     * client's metadata request, and none wider than the mesh's partition bound ({@link MeshTopicPolicy}).
     *
     * @param adminPassword the password the broker authenticates with as mesh-admin
     * @param credentials the credential store PLAIN checks passwords against, as the broker sees it
     * @param plainListeners the lower-case names of the listeners that take PLAIN (the controller's included)
     * @param scramListeners the lower-case names of the listeners that also take SCRAM-SHA-512
     * @return the settings, in a stable order
     */
    public static Map<String, String> security(String adminPassword, Path credentials, List<String> plainListeners,
                                               List<String> scramListeners) {
        var props = new LinkedHashMap<String, String>();
        props.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
        String plainLogin = PlainLoginModule.class.getName() + " required username=\"" + MeshPrincipal.ADMIN.name()
                + "\" password=\"" + adminPassword + "\" " + PlainCredentialCallbackHandler.CREDENTIALS_FILE
                + "=\"" + credentials.toAbsolutePath() + "\";";
        for (String listener : plainListeners) {
            props.put("listener.name." + listener + ".plain.sasl.jaas.config", plainLogin);
            props.put("listener.name." + listener + ".plain.sasl.server.callback.handler.class",
                    PlainCredentialCallbackHandler.class.getName());
        }
        for (String listener : scramListeners) {
            props.put("listener.name." + listener + ".scram-sha-512.sasl.jaas.config", ScramLoginModule.class.getName() + " required;");
        }
        props.put("super.users", MeshPrincipal.ADMIN.kafkaPrincipal());
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("auto.create.topics.enable", "false");
        props.put("create.topic.policy.class.name", MeshTopicPolicy.class.getName());
        return props;
    }

    /**
     * The controller quorum's and the brokers' liveness timeouts for nodes that share one machine
     * (embedded, one JVM). Kafka's defaults suit dedicated servers: a follower gives up on its
     * leader after 2 s without a fetch answer, a quorum request after 2 s, and a broker is fenced
     * after 9 s without a heartbeat. On a loaded two-core machine a fetch answer, or the fsync of a
     * vote's quorum-state file, can take that long, and a three-node quorum then elected leader
     * after leader for minutes, taking no metadata write (seen in CI: a cluster's platform topics,
     * then its credentials, not written within 30 s). A node stopped cleanly still resigns at once.
     *
     * @return the relaxed timeouts
     */
    public static Map<String, String> sharedMachineTimeouts() {
        var props = new LinkedHashMap<String, String>();
        props.put("controller.quorum.fetch.timeout.ms", "10000");
        props.put("controller.quorum.election.timeout.ms", "5000");
        props.put("controller.quorum.request.timeout.ms", "10000");
        props.put("broker.session.timeout.ms", "30000");
        return props;
    }

    /** @return replication and internal-topic settings for a one-broker cluster */
    public static Map<String, String> singleNode() {
        return replicated(Replication.SINGLE);
    }

    /**
     * The cluster's replication as broker defaults: every topic created without a replication
     * factor of its own (all the mesh's and its apps' topics, Kafka's offsets and transaction
     * logs) gets it.
     *
     * @param replication the copies per partition and the copies a write needs
     * @return replication and internal-topic settings
     */
    public static Map<String, String> replicated(Replication replication) {
        String factor = String.valueOf(replication.factor());
        String minInSync = String.valueOf(replication.minInSyncReplicas());
        var props = new LinkedHashMap<String, String>();
        props.put("num.partitions", "1");
        props.put("default.replication.factor", factor);
        props.put("min.insync.replicas", minInSync);
        props.put("offsets.topic.replication.factor", factor);
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", factor);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("transaction.state.log.num.partitions", "10");
        props.put("share.coordinator.state.topic.replication.factor", factor);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
        props.put("group.initial.rebalance.delay.ms", "0");
        // A producer that dies mid-batch holds back read_committed readers (the gate, views, people)
        // until the broker aborts its batch: look for timed-out transactions every second, not every 10 s.
        props.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        props.put("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT.toMillis()));
        return props;
    }
}
