package io.streammesh.testing;

import io.streammesh.keys.KeyLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key logs in memory, for topology tests of what encrypts ({@code TopologyTestDriver} has no
 * broker for {@code mesh.keys.<domain>}): every {@link #reader()} reads the same entries, each from
 * where it stopped, as holders of the real key topics do.
 */
public final class MemoryKeyLog {

    /**
     * @param domain the key log's domain
     * @param subject the subject id
     * @param value a key entry's bytes ({@link io.streammesh.keys.KeyEntry}), null for a tombstone
     */
    public record Written(String domain, String subject, byte[] value) {
    }

    private final List<Written> entries = new ArrayList<>();

    /** @return every entry written, in order */
    public synchronized List<Written> entries() {
        return List.copyOf(entries);
    }

    /**
     * @param entry an entry to add as if a holder had written it (e.g. a forged one)
     */
    public synchronized void append(Written entry) {
        entries.add(entry);
    }

    /** @return a holder's view of the logs */
    public KeyLog reader() {
        Map<String, Integer> position = new HashMap<>();
        return new KeyLog() {
            @Override
            public void catchUp(String domain, Entry consumer) {
                // the domain asked for only, as the key log on the broker reads
                synchronized (MemoryKeyLog.this) {
                    int from = position.getOrDefault(domain, 0);
                    for (int i = from; i < entries.size(); i++) {
                        if (entries.get(i).domain().equals(domain)) {
                            consumer.accept(domain, entries.get(i).subject(), entries.get(i).value());
                        }
                    }
                    position.put(domain, entries.size());
                }
            }

            @Override
            public void write(String domain, String subject, byte[] value) {
                append(new Written(domain, subject, value));
            }

            @Override
            public void close() {
            }
        };
    }
}
