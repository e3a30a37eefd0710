package io.streammesh.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.streammesh.platform.MeshException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongConsumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Feeds a file into a product through its {@link ProductProducer}: JSON Lines (one plain JSON
 * object per line) or CSV with a header row naming the schema's fields. A line that cannot
 * become a record is reported with its number; the others go to the product or its dead-letter
 * topic; the {@link IngestSummary} accounts for every line.
 */
public final class FileIngest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IN_FLIGHT = 2_000;

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
    private final List<PendingLine> pending = new ArrayList<>();
    private final Map<String, Long> deadLettered = new TreeMap<>();
    private final List<IngestSummary.LineError> errors = new ArrayList<>();
    private long lines;
    private long sent;

    private record PendingLine(long line, CompletableFuture<Delivery> delivery) {
    }

    private FileIngest(ProductProducer<GenericRecord> producer, Schema schema, LongConsumer progress) {
        this.producer = producer;
        this.parser = new RecordParser(schema);
        this.progress = progress;
    }

    /**
     * @param file the file to read
     * @param format its format
     * @param producer the product's producer; lines are read as records of its registered schema
     * @param progress told the number of lines read so far, now and then
     * @return what happened to every line
     * @throws MeshException if the file cannot be read at all (nothing is sent then)
     */
    public static IngestSummary ingest(Path file, Format format, ProductProducer<GenericRecord> producer, LongConsumer progress) {
        var ingest = new FileIngest(producer, producer.schema(), progress);
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
        producer.flush();
        progress.accept(ingest.lines);
        return new IngestSummary(ingest.lines, ingest.sent, ingest.deadLettered, List.copyOf(ingest.errors));
    }

    private void jsonLines(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                long number = ++lines;
                if (line.isBlank()) {
                    errors.add(new IngestSummary.LineError(number, "empty line"));
                    continue;
                }
                GenericRecord record;
                try {
                    record = parser.fromJson(JSON.readTree(line));
                } catch (JsonProcessingException e) {
                    errors.add(new IngestSummary.LineError(number, "not JSON: " + e.getOriginalMessage()));
                    continue;
                } catch (RecordParser.RecordParseException e) {
                    errors.add(new IngestSummary.LineError(number, e.getMessage()));
                    continue;
                }
                send(number, record);
            }
        }
    }

    private void csv(Path file) throws IOException {
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
            while (true) {
                Map<String, String> row;
                try {
                    if (!rows.hasNextValue()) {
                        break;
                    }
                    row = rows.nextValue();
                } catch (RuntimeJsonMappingException | JsonProcessingException e) {
                    long number = ++lines;
                    errors.add(new IngestSummary.LineError(number + 1, "not a CSV row of the header's columns: "
                            + e.getMessage().lines().findFirst().orElse("")));
                    continue;
                }
                long number = ++lines;
                try {
                    send(number + 1, parser.fromCsv(row));
                } catch (RecordParser.RecordParseException e) {
                    errors.add(new IngestSummary.LineError(number + 1, e.getMessage()));
                }
            }
        }
    }

    private void send(long line, GenericRecord record) {
        pending.add(new PendingLine(line, producer.send(record)));
        if (pending.size() >= IN_FLIGHT) {
            settle();
            progress.accept(lines);
        }
    }

    /** Waits for every record sent so far and counts where it went. */
    private void settle() {
        for (PendingLine line : pending) {
            try {
                Delivery delivery = line.delivery().join();
                if (delivery.deadLettered()) {
                    deadLettered.merge(delivery.rule(), 1L, Long::sum);
                } else {
                    sent++;
                }
            } catch (CompletionException e) {
                errors.add(new IngestSummary.LineError(line.line(), "not sent: " + e.getCause().getMessage()));
            }
        }
        pending.clear();
    }
}
