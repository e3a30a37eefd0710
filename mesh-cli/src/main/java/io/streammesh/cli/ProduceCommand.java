package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.client.CatalogClient;
import io.streammesh.connector.CatalogRegistration;
import io.streammesh.embedded.MeshStatus;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.connector.FileIngest;
import io.streammesh.connector.IngestApi;
import io.streammesh.connector.IngestClient;
import io.streammesh.connector.IngestSummary;
import io.streammesh.connector.ProductProducer;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh produce}: feeds a file into a product, checked against its contract. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Feeds a JSON Lines or CSV file (or standard input, with --file -) into a published product,",
                "as the domain's principal (default: --as <domain>).",
                "Each line becomes an Avro record of the product's registered schema, is checked against its quality rules",
                "and goes to <address>.ingest, from which the contract gate writes it to the product if it passes, to <address>.dlq",
                "with the reason if not; unreadable lines go to the report below with their line numbers.",
                "Lines are sent in batches that readers see whole or not at all; a line counts as sent once its batch is committed.",
                "Every line that reached no topic is written to the rejects file, to be fed back once fixed.",
                "Exit 0 when every line passed the contract, 1 otherwise."})
final class ProduceCommand implements Callable<Integer> {

    private static final int ERRORS_SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    StateDirOption state;

    @Mixin
    PrincipalOption as;

    @Parameters(paramLabel = "ADDRESS", description = "The product, <domain>.<product>.v<major>.")
    ProductAddress product;

    /** What {@code --file} takes for standard input. */
    static final String STANDARD_INPUT = "-";

    /** The name standard input goes by in the summary and the default rejects file. */
    private static final String STANDARD_INPUT_NAME = "stdin";

    @Option(names = "--file", required = true, paramLabel = "FILE",
            description = "data.jsonl (one JSON object per line) or data.csv (header row of field names); - reads standard input.")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl or csv (default: from the file's extension; jsonl for standard input).")
    FileIngest.Format format;

    @Option(names = "--rejects", paramLabel = "FILE",
            description = {"Where to write the lines that reached no topic (default: <file>.rejects.<ext> beside the file;",
                    "stdin.rejects.<ext> in the working directory for standard input)."})
    Path rejects;

    @Option(names = "--catalog-url", paramLabel = "URL",
            description = "The catalog API's base URL, where the product's contract is read (default: the running mesh's; "
                    + "without one, the domain's registrations topic).")
    String catalogUrl;

    @Option(names = "--ingest-url", paramLabel = "URL",
            description = {"The mesh's HTTP ingest, which takes a file of up to 8 MiB in one request and writes it as you (default: the",
                    "running mesh's, unless --catalog-url names another catalog; without one, for a larger file or an --outage-wait",
                    "over 2 minutes, the command produces with a Kafka client of its own)."})
    String ingestUrl;

    @Option(names = "--outage-wait", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long to wait for the registry or the broker while it does not answer, e.g. 30s or 5m (default: ${DEFAULT-VALUE}).")
    Duration outageWait;

    @Override
    public Integer call() {
        FileIngest.Format fileFormat = format();
        MeshClientConfig config = as.clientConfig(state, product.domain());
        var options = new ProductProducer.Options(outageWait, true);
        Path rejectsFile = rejects != null ? rejects : defaultRejects(fromStandardInput()
                ? Path.of(STANDARD_INPUT_NAME + "." + fileFormat.name().toLowerCase(Locale.ROOT)).toAbsolutePath() : file);
        Path input = fromStandardInput() ? standardInputCopy() : file;
        try {
            IngestSummary summary = ingest(config, input).flatMap(url -> throughApi(url, config, input, fileFormat, rejectsFile))
                    .orElseGet(() -> {
                        var progress = new ProgressBar(spec.commandLine().getErr(), countLines(input));
                        try (ProductProducer<GenericRecord> producer = open(config, options)) {
                            IngestSummary sent = FileIngest.ingest(input, fileFormat, producer, rejectsFile, progress::show);
                            progress.done();
                            return sent;
                        }
                    });
            print(spec.commandLine().getOut(), summary, product, rejectsFile);
            return summary.allSent() ? Mesh.OK : Mesh.FAILED;
        } finally {
            if (fromStandardInput()) {
                deleteCopy(input);
            }
        }
    }

    /**
     * With a catalog at hand, the product's registration comes from it in one request (the contract
     * gate judges by the catalog's copy too). Without one, and whenever the catalog does not have
     * the product or does not answer, from the domain's registrations topic: it knows a product
     * the catalog has not admitted yet (the producer then waits for its grant), and says at once
     * that a product was never published. The running mesh's catalog counts only for a client
     * config of that mesh's broker: a client config of another cluster reads that cluster's topic.
     */
    private ProductProducer<GenericRecord> open(MeshClientConfig config, ProductProducer.Options options) {
        return ProductProducer.open(product, () -> admitted(config), config, new SimpleMeterRegistry(), options);
    }

    private Optional<ProductRegistration> admitted(MeshClientConfig config) {
        try {
            return catalog(config).flatMap(catalog -> CatalogRegistration.find(catalog, product));
        } catch (MeshException catalogFailed) {
            // Not lost: the registrations topic is where the catalog's copy comes from; the catalog is the fast way to it.
            return Optional.empty();
        }
    }

    /**
     * The HTTP ingest takes a file that fits one request: a JVM that is already warm checks and
     * sends it as this principal, so the command starts no Kafka client. The running mesh's counts
     * only for a client config of its broker and when no other catalog was named; a larger file, an
     * outage wait longer than the API waits, or none of these, is sent by the command itself.
     */
    private Optional<String> ingest(MeshClientConfig config, Path input) {
        if (fileSize(input) > IngestApi.MAX_BODY_BYTES || outageWait.compareTo(IngestApi.MAX_OUTAGE_WAIT) > 0) {
            return Optional.empty();
        }
        if (ingestUrl != null) {
            return Optional.of(ingestUrl);
        }
        if (catalogUrl != null) {
            return Optional.empty();
        }
        return runningMesh(config).map(MeshStatus::ingestUrl);
    }

    /** @return the status of the mesh running on the state directory, if the client config is one of its broker */
    private Optional<MeshStatus> runningMesh(MeshClientConfig config) {
        StateDirectory directory = state.directory();
        Optional<MeshStatus> running = directory.isLocked() ? directory.readStatus() : Optional.empty();
        return running.filter(status -> status.bootstrapServers().equals(config.bootstrap()));
    }

    /** @return what the ingest API did, or empty if it took nothing (then the command sends the file itself) */
    private Optional<IngestSummary> throughApi(String url, MeshClientConfig config, Path input, FileIngest.Format fileFormat, Path rejectsFile) {
        try {
            return Optional.of(new IngestClient(url, config).ingest(product, input, fileFormat, rejectsFile, outageWait));
        } catch (IngestClient.Unavailable e) {
            return Optional.empty();
        }
    }

    /** The size of a file that does not exist or cannot be read is left to the ingest to report. */
    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private Optional<CatalogClient> catalog(MeshClientConfig config) {
        if (catalogUrl != null) {
            return Optional.of(new CatalogClient(catalogUrl, config));
        }
        return runningMesh(config).filter(status -> status.catalogUrl() != null).map(status -> new CatalogClient(status.catalogUrl(), config));
    }

    private boolean fromStandardInput() {
        return file.toString().equals(STANDARD_INPUT);
    }

    /**
     * Ingest reads its input more than once (counting lines, checking CSV for bytes that are not
     * UTF-8), so standard input is first copied to a file only this user can read.
     */
    private static Path standardInputCopy() {
        try {
            Path copy = Files.createTempFile("mesh-produce-", ".stdin");
            Files.copy(System.in, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        } catch (IOException e) {
            throw new MeshException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    private static void deleteCopy(Path copy) {
        try {
            Files.deleteIfExists(copy);
        } catch (IOException e) {
            throw new MeshException("cannot delete the copy of standard input " + copy + ": " + e.getMessage(), e);
        }
    }

    /** {@code orders.jsonl} gives {@code orders.rejects.jsonl}: the same format, so it can be fed back as it is. */
    static Path defaultRejects(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String rejectsName = dot > 0 ? name.substring(0, dot) + ".rejects" + name.substring(dot) : name + ".rejects";
        return file.resolveSibling(rejectsName);
    }

    private void print(PrintWriter out, IngestSummary summary, ProductAddress product, Path rejectsFile) {
        out.printf("%s: %,d line(s) read%s%n", fromStandardInput() ? "standard input" : file, summary.lines(), format() == FileIngest.Format.CSV ? " (after the header)" : "");
        out.printf("  %,8d accepted, on their way to %s through %s%n", summary.sent(), product.topic(), product.ingestTopic());
        out.printf("  %,8d rejected, on their way to %s%s%n", summary.deadLettered(), product.deadLetterTopic(),
                summary.deadLetteredByRule().isEmpty() ? "" : "  " + summary.deadLetteredByRule());
        out.printf("  %,8d not sent (unreadable or refused)%s%n", summary.errors().size(),
                summary.errors().isEmpty() ? "" : ", written to " + rejectsFile);
        summary.errors().stream().limit(ERRORS_SHOWN).forEach(e -> TerminalText.printf(out, "    line %d: %s%n", e.line(), e.reason()));
        if (summary.errors().size() > ERRORS_SHOWN) {
            out.printf("    ... and %,d more%n", summary.errors().size() - ERRORS_SHOWN);
        }
        if (!summary.inDoubt().isEmpty()) {
            out.printf("  %,8d in doubt (the broker never confirmed their batch: check the topics before sending them again), written to %s%n",
                    summary.inDoubt().size(), FileIngest.inDoubtFile(rejectsFile));
            TerminalText.printf(out, "    %s%n", summary.inDoubt().get(0).reason());
        }
        out.println(TerminalText.escape(verdict(summary, product, rejectsFile)));
        out.flush();
    }

    /** One line saying whether the whole file goes to the product, and if not, where the rest is. */
    private static String verdict(IngestSummary summary, ProductAddress product, Path rejectsFile) {
        if (summary.allSent()) {
            return "OK: all " + String.format("%,d", summary.lines()) + " line(s) accepted; the contract gate writes them to "
                    + product.topic() + ".";
        }
        return String.format("FAILED: %,d of %,d line(s) will not reach %s (%,d rejected, see %s; %,d not sent%s)%s%s.",
                summary.lines() - summary.sent(), summary.lines(), product.topic(), summary.deadLettered(), product.deadLetterTopic(),
                summary.errors().size(),
                summary.inDoubt().isEmpty() ? "" : String.format(", %,d in doubt", summary.inDoubt().size()),
                summary.stoppedBy() == null ? "" : "; stopped sending: " + summary.stoppedBy(),
                summary.errors().isEmpty() ? "" : "; feed the lines not sent back with --file " + rejectsFile);
    }

    private FileIngest.Format format() {
        if (format != null) {
            return format;
        }
        return fromStandardInput() ? FileIngest.Format.JSONL : FileIngest.Format.of(file);
    }

    /** Counts line breaks, not decoded lines: a line that is not UTF-8 still counts. */
    private static long countLines(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            long count = 0;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    count++;
                }
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }
}
