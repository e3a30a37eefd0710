package io.streammesh.embedded;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.Node;

/**
 * One line on the state of the cluster's metadata quorum and brokers, added to the message of a
 * platform call that timed out: whether the quorum had a leader, which voters lagged and which
 * brokers were seen is what tells a loaded machine from a cluster that lost its quorum.
 */
final class QuorumReport {

    private static final long ASK_SECONDS = 5;

    private QuorumReport() {
    }

    /**
     * @param admin a client allowed to describe the cluster (mesh-admin)
     * @return e.g. "metadata quorum: leader 2 at epoch 3, high watermark 120, voters 1@120 2@120 3@95; brokers seen: [1, 2, 3]",
     *         or what could not be learnt
     */
    static String of(Admin admin) {
        String quorum;
        try {
            quorum = describe(admin.describeMetadataQuorum().quorumInfo().get(ASK_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            quorum = "metadata quorum not described (" + e.getClass().getSimpleName() + ")";
        }
        String brokers;
        try {
            brokers = "brokers seen: " + ids(admin.describeCluster().nodes().get(ASK_SECONDS, TimeUnit.SECONDS));
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            brokers = "brokers not described (" + e.getClass().getSimpleName() + ")";
        }
        return quorum + "; " + brokers;
    }

    private static String describe(QuorumInfo quorum) {
        String voters = quorum.voters().stream()
                .map(voter -> voter.replicaId() + "@" + voter.logEndOffset())
                .collect(Collectors.joining(" "));
        return "metadata quorum: " + (quorum.leaderId() < 0 ? "no leader" : "leader " + quorum.leaderId())
                + " at epoch " + quorum.leaderEpoch() + ", high watermark " + quorum.highWatermark() + ", voters " + voters;
    }

    private static List<Integer> ids(Collection<Node> nodes) {
        return nodes.stream().map(Node::id).sorted().toList();
    }
}
