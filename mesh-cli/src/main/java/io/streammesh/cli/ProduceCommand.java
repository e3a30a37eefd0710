package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.connector.FileIngest;
import io.streammesh.connector.IngestSummary;
import io.streammesh.connector.ProductProducer;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mesh produce}: feeds a file into a product, checked against its contract. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Feeds a JSON Lines or CSV file into a published product, as the domain's principal (default: --as <domain>).",
                "Each line becomes an Avro record of the product's registered schema and is checked against its quality rules:",
                "good ones go to the product, failing ones to <address>.dlq, unreadable ones to the report below with their line numbers.",
                "Exit 0 when every line reached the product or its dead-letter topic, 1 otherwise."})
final class ProduceCommand implements Callable<Integer> {

    private static final int ERRORS_SHOWN = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    StateDirOption state;

    @Mixin
    PrincipalOption as;

    @Parameters(paramLabel = "ADDRESS", description = "The product, <domain>.<product>.v<major>.")
    String address;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "data.jsonl (one JSON object per line) or data.csv (header row of field names).")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT", description = "jsonl or csv (default: from the file's extension).")
    FileIngest.Format format;

    @Override
    public Integer call() {
        ProductAddress product = ProductCommand.parse(address);
        FileIngest.Format fileFormat = format != null ? format : FileIngest.Format.of(file);
        Properties config = as.clientConfig(state, product.domain());
        var progress = new ProgressBar(spec.commandLine().getErr(), countLines(file));
        IngestSummary summary;
        try (ProductProducer<GenericRecord> producer = ProductProducer.open(product, config, new SimpleMeterRegistry())) {
            summary = FileIngest.ingest(file, fileFormat, producer, progress::show);
            progress.done();
            print(spec.commandLine().getOut(), summary, product);
        }
        return summary.errors().isEmpty() ? Mesh.OK : Mesh.FAILED;
    }

    private void print(PrintWriter out, IngestSummary summary, ProductAddress product) {
        out.printf("%s: %,d line(s) read%s%n", file, summary.lines(), format() == FileIngest.Format.CSV ? " (after the header)" : "");
        out.printf("  %,8d sent to %s%n", summary.sent(), product.topic());
        out.printf("  %,8d dead-lettered to %s%s%n", summary.deadLettered(), product.deadLetterTopic(),
                summary.deadLetteredByRule().isEmpty() ? "" : "  " + summary.deadLetteredByRule());
        out.printf("  %,8d not sent (unreadable or refused)%n", summary.errors().size());
        summary.errors().stream().limit(ERRORS_SHOWN).forEach(e -> TerminalText.printf(out, "    line %d: %s%n", e.line(), e.reason()));
        if (summary.errors().size() > ERRORS_SHOWN) {
            out.printf("    ... and %,d more%n", summary.errors().size() - ERRORS_SHOWN);
        }
        out.flush();
    }

    private FileIngest.Format format() {
        return format != null ? format : FileIngest.Format.of(file);
    }

    private static long countLines(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }
}
