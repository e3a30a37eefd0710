package io.streammesh.connector;

import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.streammesh.schema.MeshException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The lines of an ingest that reached no topic, written to a file in the input's own format so
 * that it can be fed back once the cause is fixed: JSON Lines byte for byte, CSV as the header
 * and each row's cells. The file is left only if it holds a line.
 */
final class RejectedLines implements AutoCloseable {

    private static final byte NEWLINE = '\n';
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private OutputStream out;
    private CsvSchema csvHeader;
    private Map<String, String> csvHeaderRow;
    private long count;

    /**
     * @param file where to write them; an existing file is replaced
     * @throws MeshException if its directory does not exist or is not writable: said before
     *         anything is sent, not after
     */
    RejectedLines(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new MeshException("cannot write the lines not sent to " + file + ": " + dir + " is not a writable directory");
        }
        this.file = file;
    }

    /** @return the file */
    Path file() {
        return file;
    }

    /** @return how many lines were written */
    long count() {
        return count;
    }

    /** @param header the CSV header's column names, written before the first row */
    void csvHeader(List<String> header) {
        var schema = CsvSchema.builder();
        header.forEach(schema::addColumn);
        this.csvHeader = schema.build();
        this.csvHeaderRow = new java.util.LinkedHashMap<>();
        header.forEach(name -> csvHeaderRow.put(name, name));
    }

    /** @param line a line as read, without its line break */
    void write(byte[] line) {
        try {
            open().write(line);
            out.write(NEWLINE);
            count++;
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /**
     * @param lines lines another ingest wrote in this format (the {@link IngestApi}'s), line breaks
     *        included; the file is left only if they are not empty
     */
    void writeAll(byte[] lines) {
        if (lines.length == 0) {
            return;
        }
        try {
            open().write(lines);
            for (byte b : lines) {
                count += b == NEWLINE ? 1 : 0;
            }
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** @param row a CSV row, by column */
    void write(Map<String, String> row) {
        write(csvLine(row));
    }

    private byte[] csvLine(Map<String, String> row) {
        try {
            return new CsvMapper().writer(csvHeader).writeValueAsString(row).stripTrailing().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private OutputStream open() throws IOException {
        if (out == null) {
            // They may hold personal data: the owner's only, and never written through a link someone planted.
            Files.deleteIfExists(file);
            out = new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(file,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY))));
            if (csvHeader != null) {
                out.write(csvLine(csvHeaderRow));
                out.write(NEWLINE);
            }
        }
        return out;
    }

    private MeshException failure(IOException e) {
        return new MeshException("cannot write the lines not sent to " + file + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        try {
            if (out != null) {
                out.close();
            } else {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw failure(e);
        }
    }
}
