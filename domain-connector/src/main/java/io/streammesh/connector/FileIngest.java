package io.streammesh.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.streammesh.schema.MeshException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.avro.generic.GenericRecord;

/**
 * Feeds a file into a product through a transactional {@link ProductProducer}: JSON Lines (one
 * plain JSON object per line, UTF-8) or CSV with a header row naming the schema's fields. A line
 * that cannot become a record is reported with its number and the reading goes on; the others
 * go to the product's ingest topic (from which the contract gate writes them to the product or
 * its dead-letter topic) in batches, each committed at once or not at all, so a line counts as
 * sent only once its batch is visible to {@code read_committed} readers, the gate among them.
 * When the broker fails a batch, the ingest stops trying: the batch's lines and every line after
 * it are reported as not sent. Every line that reached no topic is written to a rejects file,
 * in the input's format, to be fed back. The {@link IngestSummary} accounts for every line.
 */
public final class FileIngest {

    private static final int BATCH = 2_000;

    /** The file formats ingest reads. */
    public enum Format {
        /** One JSON object per line ({@code .jsonl}, {@code .ndjson}, {@code .json}). */
        JSONL,
        /** Comma-separated values with a header row ({@code .csv}). */
        CSV;

        /**
         * @param file a file
         * @return its format, by extension
         * @throws MeshException if the extension is not known
         */
        public static Format of(Path file) {
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
                return JSONL;
            }
            if (name.endsWith(".csv")) {
                return CSV;
            }
            throw new MeshException("cannot tell the format of " + file + " from its name; use .jsonl or .csv, or give --format");
        }
    }

    private final ProductProducer<GenericRecord> producer;
    private final RecordParser parser;
    private final LongConsumer progress;
    private final RejectedLines rejects;
    private final RejectedLines inDoubtLines;
    private final List<PendingLine> batch = new ArrayList<>();
    private final Map<String, Long> deadLettered = new TreeMap<>();
    private final List<IngestSummary.LineError> errors = new ArrayList<>();
    private final List<IngestSummary.LineError> inDoubt = new ArrayList<>();
    private long lines;
    private long sent;
    /** Why the ingest stopped sending, once the broker failed a batch; null while it sends. */
    private String stopped;

    /**
     * A line in the open batch.
     *
     * @param rejected writes the line to a rejects file, in the input's format
     */
    private record PendingLine(long line, Consumer<RejectedLines> rejected, CompletableFuture<Delivery> delivery) {
    }

    private FileIngest(ProductProducer<GenericRecord> producer, LongConsumer progress, RejectedLines rejects, RejectedLines inDoubtLines) {
        this.producer = producer;
        this.parser = new RecordParser(producer.schema());
        this.progress = progress;
        this.rejects = rejects;
        this.inDoubtLines = inDoubtLines;
    }

    /**
     * @param file the file to read
     * @param format its format
     * @param producer the product's producer, opened transactional; lines are read as records of
     *        its registered schema
     * @param rejectsFile where to write the lines that reached no topic (replaced; left only if
     *        a line reached no topic); lines of a batch in doubt go beside it, to
     *        {@code <rejectsFile>.in-doubt}
     * @param progress told the number of lines read so far, now and then
     * @return what happened to every line
     * @throws MeshException if the file cannot be read at all, or is the rejects file (nothing is
     *         sent then)
     */
    public static IngestSummary ingest(Path file, Format format, ProductProducer<GenericRecord> producer, Path rejectsFile,
                                       LongConsumer progress) {
        refuseToOverwrite(file, rejectsFile);
        refuseToOverwrite(file, inDoubtFile(rejectsFile));
        try (var rejects = new RejectedLines(rejectsFile);
             var inDoubtLines = new RejectedLines(inDoubtFile(rejectsFile))) {
            var ingest = new FileIngest(producer, progress, rejects, inDoubtLines);
            try {
                if (format == Format.JSONL) {
                    ingest.jsonLines(file);
                } else {
                    ingest.csv(file);
                }
            } catch (NoSuchFileException e) {
                throw new MeshException("file " + file + " does not exist");
            } catch (IOException e) {
                throw new MeshException("cannot read " + file + ": " + e.getMessage(), e);
            }
            ingest.settle();
            progress.accept(ingest.lines);
            return new IngestSummary(ingest.lines, ingest.sent, ingest.deadLettered,
                    ingest.errors.stream().sorted(Comparator.comparingLong(IngestSummary.LineError::line)).toList(),
                    List.copyOf(ingest.inDoubt), ingest.stopped);
        }
    }

    /** Writing the lines not sent over the file being read would lose the rest of it. */
    static void refuseToOverwrite(Path file, Path output) {
        try {
            if (Files.exists(output) && Files.exists(file) && Files.isSameFile(file, output)) {
                throw new MeshException(output + " is the file being read; write the lines not sent to another file");
            }
        } catch (IOException e) {
            throw new MeshException("cannot tell whether " + output + " is " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param rejectsFile a rejects file
     * @return where the lines of a batch in doubt go beside it
     */
    public static Path inDoubtFile(Path rejectsFile) {
        return rejectsFile.resolveSibling(rejectsFile.getFileName() + ".in-doubt");
    }

    private void jsonLines(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] raw;
            while ((raw = Utf8Lines.next(in)) != null) {
                long number = ++lines;
                byte[] bytes = raw;
                Consumer<RejectedLines> rejected = to -> to.write(bytes);
                GenericRecord record;
                try {
                    record = parser.fromJsonText(raw);
                } catch (RecordParser.RecordParseException e) {
                    reject(number, rejected, e.getMessage());
                    continue;
                }
                send(number, rejected, record);
            }
        }
    }

    /**
     * Jackson stops at the first byte that is not UTF-8, so such lines are found first, reported,
     * and left out of a temporary copy it reads instead.
     */
    private void csv(Path file) throws IOException {
        List<Utf8Lines.Invalid> invalid = Utf8Lines.invalid(file);
        if (invalid.isEmpty()) {
            csv(file, invalid);
            return;
        }
        if (invalid.get(0).number() == 1) {
            throw new MeshException(file + ": the header is " + invalid.get(0).reason() + "; nothing was sent");
        }
        Path copy = Utf8Lines.copyWithout(file, invalid);
        try {
            csv(copy, invalid);
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    private void csv(Path file, List<Utf8Lines.Invalid> invalid) throws IOException {
        var mapper = new CsvMapper().enable(CsvParser.Feature.FAIL_ON_MISSING_COLUMNS);
        try (MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(file.toFile())) {
            if (!rows.hasNextValue()) {
                return;
            }
            List<String> header = new ArrayList<>();
            ((CsvSchema) rows.getParserSchema()).forEach(column -> header.add(column.getName()));
            List<String> missing = parser.missingColumns(header);
            if (!missing.isEmpty()) {
                throw new MeshException(file + ": the header has no column " + String.join(", ", missing)
                        + ", which the product's schema requires; nothing was sent");
            }
            rejects.csvHeader(header);
            inDoubtLines.csvHeader(header);
            for (Utf8Lines.Invalid line : invalid) {
                lines++;
                reject(line.number(), to -> to.write(line.bytes()), line.reason());
            }
            long row = 0;
            while (true) {
                Map<String, String> values;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    values = rows.nextValue();
                } catch (RuntimeJsonMappingException | JsonProcessingException e) {
                    lines++;
                    // Its cells could not be read, so it cannot be written back: the report names it.
                    errors.add(new IngestSummary.LineError(Utf8Lines.lineInFile(++row, invalid), "not a CSV row of the header's columns: "
                            + e.getMessage().lines().findFirst().orElse("")));
                    continue;
                }
                lines++;
                long number = Utf8Lines.lineInFile(++row, invalid);
                Map<String, String> cells = values;
                Consumer<RejectedLines> rejected = to -> to.write(cells);
                try {
                    send(number, rejected, parser.fromCsv(values));
                } catch (RecordParser.RecordParseException e) {
                    reject(number, rejected, e.getMessage());
                }
            }
        }
    }

    private void reject(long line, Consumer<RejectedLines> rejected, String reason) {
        errors.add(new IngestSummary.LineError(line, reason));
        rejected.accept(rejects);
    }

    private void send(long line, Consumer<RejectedLines> rejected, GenericRecord record) {
        if (stopped != null) {
            reject(line, rejected, "not sent: " + stopped);
            return;
        }
        if (batch.isEmpty()) {
            try {
                producer.beginBatch();
            } catch (MeshException e) {
                stopped = e.getMessage();
                reject(line, rejected, "not sent: " + stopped);
                return;
            }
        }
        batch.add(new PendingLine(line, rejected, producer.send(record)));
        if (batch.size() >= BATCH) {
            settle();
            progress.accept(lines);
        }
    }

    /** Commits the open batch and counts where its lines went, or reports them all as not sent. */
    private void settle() {
        if (batch.isEmpty()) {
            return;
        }
        try {
            producer.commitBatch();
            for (PendingLine line : batch) {
                Delivery delivery = line.delivery().join();
                if (delivery.deadLettered()) {
                    deadLettered.merge(delivery.rule(), 1L, Long::sum);
                } else {
                    sent++;
                }
            }
        } catch (ProductProducer.BatchInDoubt e) {
            stopped = e.getMessage();
            for (PendingLine line : batch) {
                inDoubt.add(new IngestSummary.LineError(line.line(), "in doubt: " + e.getMessage()));
                line.rejected().accept(inDoubtLines);
            }
        } catch (MeshException e) {
            stopped = firstFailure().orElse(e.getMessage());
            for (PendingLine line : batch) {
                reject(line.line(), line.rejected(), "not sent: " + stopped);
            }
        }
        batch.clear();
    }

    /** @return why the first record of the batch that failed did, which says more than the commit's refusal */
    private Optional<String> firstFailure() {
        for (PendingLine line : batch) {
            if (line.delivery().isCompletedExceptionally()) {
                try {
                    line.delivery().join();
                } catch (CompletionException e) {
                    return Optional.of(e.getCause().getMessage());
                }
            }
        }
        return Optional.empty();
    }
}
