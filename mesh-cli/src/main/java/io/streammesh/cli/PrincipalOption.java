package io.streammesh.cli;

import io.streammesh.client.ClientConfigs;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.client.MeshClientConfig;
import java.nio.file.Path;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * Who a command acts as: {@code --client-config FILE} (how people connect to a real cluster) or
 * {@code --as PRINCIPAL} (the client config the state directory holds for that principal).
 */
final class PrincipalOption {

    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--as", paramLabel = "PRINCIPAL",
                description = "Act as this principal, with the client config the state directory holds for it.")
        String principal;

        @Option(names = "--client-config", paramLabel = "FILE",
                description = "Act with this Kafka client config (bootstrap, SASL, apicurio.registry.url).")
        Path clientConfig;
    }

    /**
     * @param defaultPrincipal who acts when neither option is given
     * @return the principal's bare name, or empty when a {@code --client-config} file says who acts
     */
    java.util.Optional<String> principalName(String defaultPrincipal) {
        if (choice != null && choice.clientConfig != null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(MeshPrincipal.bareName(choice != null && choice.principal != null ? choice.principal : defaultPrincipal));
    }

    /**
     * @param state the state directory, for {@code --as}
     * @param defaultPrincipal who to act as when neither option is given
     * @return the client config to act with
     */
    MeshClientConfig clientConfig(StateDirOption state, String defaultPrincipal) {
        return forOneCommand(chosen(state, defaultPrincipal));
    }

    private MeshClientConfig chosen(StateDirOption state, String defaultPrincipal) {
        if (choice != null && choice.clientConfig != null) {
            return MeshClientConfig.load(choice.clientConfig);
        }
        String name = choice != null && choice.principal != null ? choice.principal : defaultPrincipal;
        try {
            return new ClientConfigs(state.existing().clients()).config(MeshPrincipal.bareName(name));
        } catch (MeshException e) {
            throw new MeshException(e.getMessage() + " (or give --client-config FILE)", e);
        }
    }

    /**
     * A command's Kafka clients live about a second, and nobody watches their metrics: unless the
     * client config asks otherwise, they register no JMX MBean per metric group (Kafka's default
     * reporter; with the MBean server's start, some 7 % of the CPU of {@code mesh produce}) and push
     * no metrics to the broker.
     */
    private static MeshClientConfig forOneCommand(MeshClientConfig config) {
        MeshClientConfig quiet = config;
        if (!config.extra().containsKey(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG)) {
            quiet = quiet.with(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG, "");
        }
        if (!config.extra().containsKey(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG)) {
            quiet = quiet.with(CommonClientConfigs.ENABLE_METRICS_PUSH_CONFIG, "false");
        }
        return quiet;
    }
}
