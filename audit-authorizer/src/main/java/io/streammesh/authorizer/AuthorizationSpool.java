package io.streammesh.authorizer;

import io.streammesh.schema.AuthorizationEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Authorisation events kept on disk while they cannot be shipped: what the authorizer holds
 * when the broker stops, and what overflows its memory while {@code mesh.audit.raw} is out of
 * reach. Avro data files, written whole and then moved into place, shipped oldest first.
 */
final class AuthorizationSpool {

    private static final String SUFFIX = ".avro";

    private final Path dir;

    AuthorizationSpool(Path dir) {
        this.dir = dir;
    }

    /** @return spooled files, oldest first */
    List<Path> files() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the audit spool " + dir, e);
        }
    }

    List<AuthorizationEvent> read(Path file) {
        var events = new ArrayList<AuthorizationEvent>();
        try (var reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(AuthorizationEvent.class))) {
            reader.forEach(events::add);
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit spool file " + file, e);
        }
    }

    /** Writes the events to a new file; nothing is written for none. */
    void write(Collection<AuthorizationEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        // The name sorts by time, so files ship in the order they were spooled.
        writeTo(dir.resolve(String.format("authorizations-%015d-%019d", System.currentTimeMillis(), System.nanoTime() & Long.MAX_VALUE)
                + SUFFIX), events);
    }

    /**
     * Leaves in a file only the events still to ship. The file keeps its name, hence its place:
     * written anew, what remains of the oldest file would ship after younger ones.
     */
    void replace(Path file, Collection<AuthorizationEvent> events) {
        if (events.isEmpty()) {
            delete(file);
            return;
        }
        writeTo(file, events);
    }

    /** Written whole beside the file, then moved into place (a rename replaces it at once). */
    private void writeTo(Path file, Collection<AuthorizationEvent> events) {
        try {
            Files.createDirectories(dir);
            Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (var writer = new DataFileWriter<>(new SpecificDatumWriter<>(AuthorizationEvent.class))) {
                writer.create(AuthorizationEvent.getClassSchema(), temporary.toFile());
                for (AuthorizationEvent event : events) {
                    writer.append(event);
                }
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + events.size() + " audit events to the spool " + dir, e);
        }
    }

    void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the shipped audit spool file " + file, e);
        }
    }
}
