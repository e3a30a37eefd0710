package io.streammesh.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import io.streammesh.schema.MeshException;
import java.io.PrintWriter;
import io.streammesh.client.ProductConsumer;
import io.streammesh.keys.FieldDecryption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh consume}: shows the records of a product, view or dead-letter topic, decoded, to people. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Shows the records of a topic the principal may read: a product (<address>), one of its views",
                "(mesh.view.<address>.<view>), its dead letters (<address>.dlq, with the rule and reason of each) or its ingest topic.",
                "Avro values are read with their writer's schema from the registry; other values are shown as text, or base64 when",
                "they are not UTF-8; a tombstone as null. Only committed records are read (read_committed).",
                "Without --group every partition is read from the end (or the beginning) and no offsets are committed;",
                "with --group the group's committed offsets are used and advanced (it needs the group of a grant).",
                "Stops after --max records or --timeout without a record, else follows until Ctrl-C;",
                "then prints how many records it showed on standard error."})
final class ConsumeCommand implements Callable<Integer> {

    private static final Duration POLL = Duration.ofMillis(200);
    /** How long the broker has to say which partitions the topic has (the Admin calls' KafkaCalls wait). */
    private static final Duration BROKER_WAIT = Duration.ofSeconds(30);

    /** When the idle timeout started counting: at start, at each record, and when a group gets its partitions. */
    private volatile long idleSince = System.nanoTime();

    /** Set by Ctrl-C. */
    private volatile boolean stopping;

    @Spec
    CommandSpec spec;

    @Mixin
    StateDirOption state;

    @Mixin
    PrincipalOption as;

    @Mixin
    OutputOption output;

    @Parameters(paramLabel = "TOPIC", description = "<address>, <address>.dlq, <address>.ingest or mesh.view.<address>.<view>.")
    String topicName;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "Read as this consumer group, from its committed offsets, and commit what was shown (default: no group).")
    String group;

    @Option(names = "--from-beginning",
            description = "Start at the oldest record (with --group: only where the group has committed nothing yet).")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N records.")
    Integer max;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Stop once no record has come for this long, e.g. 5s (default: follow until Ctrl-C).")
    Duration timeout;

    @Option(names = "--decrypt", description = "Decrypt the product's encrypted fields (a product or view topic): the data keys come from "
            + "the catalog's key service, for a principal holding an ACTIVE grant with decrypt (mesh access request --decrypt); "
            + "an erased subject's fields show as null, named in \"erased\".")
    boolean decrypt;

    @Option(names = "--catalog-url", paramLabel = "URL", description = "With --decrypt: the catalog API's base URL (default: the running mesh's).")
    String catalogUrl;

    @Override
    public Integer call() {
        OutputFormat format = format();
        if (max != null && max < 1) {
            throw new ParameterException(spec.commandLine(), "--max must be at least 1, not " + max);
        }
        ConsumedTopic topic = ConsumedTopic.of(topicName);
        MeshClientConfig config = as.clientConfig(state, reader(topic));
        try (SchemaRegistry registry = SchemaRegistry.connect(config);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerSettings(config), new ByteArrayDeserializer(),
                     new ByteArrayDeserializer())) {
            var records = new ConsumedRecords(new WireAvro(registry)::decode, decryption(topic, config));
            var stopped = new CountDownLatch(1);
            Thread ctrlC = new Thread(() -> {
                stopping = true;
                consumer.wakeup();
                awaitQuietly(stopped);
            }, "mesh-consume-ctrl-c");
            Runtime.getRuntime().addShutdownHook(ctrlC);
            try {
                int partitions = 0;
                long shown = 0;
                try {
                    partitions = start(consumer, topic, config);
                    shown = followUntilStopped(consumer, records, format);
                } catch (WakeupException e) {
                    // Ctrl-C before the first poll: nothing was shown
                }
                PrintWriter err = spec.commandLine().getErr();
                TerminalText.printf(err, "%,d record%s from %s (%d partition%s)%n", shown, shown == 1 ? "" : "s", topic.name(),
                        partitions, partitions == 1 ? "" : "s");
                err.flush();
                return Mesh.OK;
            } catch (GroupAuthorizationException e) {
                throw new MeshException(topic.groupRefusal(config.kafkaPrincipal(), group), e);
            } catch (TopicAuthorizationException e) {
                throw new MeshException(topic.refusal(config.kafkaPrincipal()), e);
            } catch (AuthenticationException e) {
                throw new MeshException("the broker at " + config.bootstrap() + " did not accept the login of " + config.kafkaPrincipal()
                        + ": " + e.getMessage(), e);
            } finally {
                // Ctrl-C waits for this: the summary is printed before the JVM stops
                stopped.countDown();
                removeHook(ctrlC);
            }
        }
    }

    /** @return how values are decrypted with --decrypt, else null */
    private FieldDecryption decryption(ConsumedTopic topic, MeshClientConfig config) {
        if (!decrypt) {
            return null;
        }
        if (topic.kind() != ConsumedTopic.Kind.PRODUCT && topic.kind() != ConsumedTopic.Kind.VIEW) {
            throw new ParameterException(spec.commandLine(), "--decrypt reads a product (<address>) or a view (mesh.view.<address>.<view>), not "
                    + topic.name());
        }
        return ProductConsumer.decryption(CatalogOption.client(catalogUrl, state, config), topic.product());
    }

    private OutputFormat format() {
        if (output.format() == OutputFormat.csv) {
            throw new ParameterException(spec.commandLine(), "--format csv: mesh consume prints records as json or table");
        }
        return output.format();
    }

    /** The owning domain reads its product's own topics by default; anything else needs --as or --client-config. */
    private String reader(ConsumedTopic topic) {
        if (as.choice != null) {
            return null;
        }
        return topic.defaultReader().orElseThrow(() -> new UsageError("say who reads " + topic.name()
                + " with --as PRINCIPAL (e.g. the team holding a grant on it) or --client-config FILE"));
    }

    private Properties consumerSettings(MeshClientConfig config) {
        var props = config.kafka();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        if (group != null) {
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        return props;
    }

    /**
     * Asks the broker for the topic's partitions first: a refusal or a missing topic shows before
     * anything else. Without a group every partition is taken and its start position fixed now,
     * so the idle timeout counts from when records can come.
     *
     * @return how many partitions the topic has
     */
    private int start(KafkaConsumer<byte[], byte[]> consumer, ConsumedTopic topic, MeshClientConfig config) {
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic.name(), BROKER_WAIT);
        } catch (TimeoutException e) {
            if (stopping) {
                // a consumer woken while it looks a topic up says so as a timeout
                throw new WakeupException();
            }
            throw new MeshException("the broker at " + config.bootstrap() + " did not answer within " + BROKER_WAIT.toSeconds()
                    + " s while looking up " + topic.name() + "; is the mesh running?", e);
        }
        if (infos == null || infos.isEmpty()) {
            throw new MeshException("no topic " + topic.name() + " on the mesh (see mesh catalog search)");
        }
        if (group != null) {
            consumer.subscribe(List.of(topic.name()), new IdleFromAssignment());
            return infos.size();
        }
        List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        if (fromBeginning) {
            consumer.seekToBeginning(partitions);
        } else {
            consumer.seekToEnd(partitions);
        }
        partitions.forEach(consumer::position);
        idleSince = System.nanoTime();
        return infos.size();
    }

    /** @return how many records were shown, when --max or --timeout says to stop or Ctrl-C is pressed */
    private long followUntilStopped(KafkaConsumer<byte[], byte[]> consumer, ConsumedRecords records, OutputFormat format) {
        long shown = 0;
        try {
            while (!idle() && (max == null || shown < max)) {
                var batch = new ArrayList<ObjectNode>();
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    if (max != null && shown + batch.size() >= max) {
                        break;
                    }
                    batch.add(records.json(record));
                    done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                }
                if (!batch.isEmpty()) {
                    print(batch, format);
                    shown += batch.size();
                    idleSince = System.nanoTime();
                    if (group != null) {
                        consumer.commitSync(done);
                    }
                }
            }
        } catch (WakeupException e) {
            // Ctrl-C: what was shown is summed up all the same
        }
        return shown;
    }

    private boolean idle() {
        return timeout != null && System.nanoTime() - idleSince >= timeout.toNanos();
    }

    private void print(List<ObjectNode> batch, OutputFormat format) {
        PrintWriter out = spec.commandLine().getOut();
        if (format == OutputFormat.json) {
            batch.forEach(record -> out.println(TerminalText.json(record, false)));
        } else {
            ConsumedTable.of(batch).print(out);
        }
        out.flush();
    }

    private static void awaitQuietly(CountDownLatch stopped) {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The hook is only for Ctrl-C: once the command is done (or the JVM is already stopping) it has nothing to do. */
    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs, and finds the command done
        }
    }

    /** A group's idle timeout counts from when it has partitions to read. */
    private final class IdleFromAssignment implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            idleSince = System.nanoTime();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            // nothing to give back: offsets are committed as records are shown
        }
    }
}
