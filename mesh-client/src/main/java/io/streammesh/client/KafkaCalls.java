package io.streammesh.client;

import io.streammesh.schema.MeshException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Waits for Admin API results and turns their failures into one-line {@link MeshException}s. */
public final class KafkaCalls {

    private static final long TIMEOUT_SECONDS = 30;

    private KafkaCalls() {
    }

    /**
     * @param future an Admin API result
     * @param what what was asked, for the message (e.g. "create topic orders.x.v1")
     * @return the result
     * @throws MeshException saying what failed and why
     */
    public static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof AuthorizationException refused) {
                throw new MeshException("not authorised to " + what + ": " + refusal(refused), cause);
            }
            if (cause instanceof AuthenticationException) {
                throw new MeshException("authentication failed while trying to " + what + ": " + cause.getMessage(), cause);
            }
            throw new MeshException("could not " + what + ": " + reason(cause), cause);
        } catch (TimeoutException e) {
            throw new MeshException("could not " + what + " within " + TIMEOUT_SECONDS + " s: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while trying to " + what, e);
        }
    }

    /**
     * @param failure what an Admin call failed with
     * @return its message, or what it is when it has none (the broker answers some errors, such as
     *         an unknown topic to DescribeConfigs, with an empty message)
     */
    static String reason(Throwable failure) {
        if (failure instanceof UnknownTopicOrPartitionException) {
            return "no such topic" + (isBlank(failure.getMessage()) ? "" : " (" + failure.getMessage() + ")");
        }
        return isBlank(failure.getMessage()) ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    private static boolean isBlank(String message) {
        return message == null || message.isBlank();
    }

    /**
     * What the broker refused, without its message: a cluster refusal's message is the whole
     * internal request ({@code Request(processor=…, session=…, listenerName=…)}).
     *
     * @param refused the broker's refusal
     * @return e.g. "the broker refused topic(s) [a, b]"
     */
    public static String refusal(AuthorizationException refused) {
        if (refused instanceof TopicAuthorizationException topics && !topics.unauthorizedTopics().isEmpty()) {
            return "the broker refused topic(s) " + topics.unauthorizedTopics().stream().sorted().toList();
        }
        if (refused instanceof GroupAuthorizationException group && group.groupId() != null) {
            return "the broker refused consumer group " + group.groupId();
        }
        if (refused instanceof ClusterAuthorizationException) {
            return "the broker refused it: it needs rights on the cluster, which only the platform's principals hold";
        }
        return "the broker refused it";
    }

    /**
     * Creates the topics that do not exist yet; existing ones are left as they are.
     *
     * @param admin an Admin client allowed to create them
     * @param topics the topics
     * @return the names of those that existed already
     * @throws MeshException naming the topic that could not be created and why
     */
    public static Set<String> createMissing(Admin admin, List<NewTopic> topics) {
        Set<String> existing = new HashSet<>();
        for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(topics).values().entrySet()) {
            try {
                result.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(result.getKey());
                } else {
                    await(result.getValue(), "create topic " + result.getKey());
                }
            } catch (TimeoutException e) {
                throw new MeshException("could not create topic " + result.getKey() + " within " + TIMEOUT_SECONDS + " s: is the mesh running?", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while creating topic " + result.getKey(), e);
            }
        }
        return existing;
    }
}
