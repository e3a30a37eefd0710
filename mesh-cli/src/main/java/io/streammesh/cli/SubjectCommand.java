package io.streammesh.cli;

import io.streammesh.schema.FreeText;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.SubjectId;
import java.io.PrintWriter;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh subject erase}: a domain asks the platform to destroy a data subject's key. */
@Command(name = "subject", mixinStandardHelpOptions = true, description = "Erases data subjects (crypto-shredding).")
final class SubjectCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "erase", mixinStandardHelpOptions = true,
            description = {"Erases a data subject of a domain: written to mesh.erasures.<domain> (only the domain and the platform "
                    + "may), the contract gate destroys the subject's data key within seconds, so its encrypted fields become "
                    + "unreadable in every product of the domain; audited as SUBJECT_ERASED with who and why.",
                    "A later record about the same subject is encrypted with a fresh key."})
    int erase(@Mixin StateDirOption state, @Mixin PrincipalOption as,
              @Parameters(index = "0", paramLabel = "DOMAIN", description = "The domain whose subject it is.") String domain,
              @Parameters(index = "1", paramLabel = "SUBJECT", description = "The subject id, the value of the contracts' encryption.subject field.")
              String subject,
              @Option(names = "--reason", required = true, description = "Why, for the audit trail (at most 500 characters).") String reason) {
        check(domain, subject, reason);
        RunningMesh.find(state.directory());
        var config = as.clientConfig(state, domain).kafka();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(MeshTopics.erasures(domain), subject, reason)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while asking for the erasure", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthorizationException refused) {
                // said once, as every refusal: "not authorised to use topic(s) mesh.erasures.<domain>"
                throw refused;
            }
            throw new MeshException("the erasure was not written: " + e.getCause().getMessage(), e.getCause());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Erasure of subject %s of domain %s written to %s: the contract gate destroys its data key within seconds.%n",
                TerminalText.escape(subject), domain, MeshTopics.erasures(domain));
        out.flush();
        return Mesh.OK;
    }

    private static void check(String domain, String subject, String reason) {
        try {
            ProductAddress.checkName("domain", domain);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        FreeText.problem("--reason", reason).or(() -> SubjectId.problem("the subject id", subject)).ifPresent(problem -> {
            throw new UsageError(problem);
        });
        if (reason.isBlank()) {
            throw new UsageError("--reason is empty: say why, for the audit trail");
        }
    }
}
