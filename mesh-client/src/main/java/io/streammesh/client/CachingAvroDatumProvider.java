package io.streammesh.client;

import io.apicurio.registry.serde.avro.DefaultAvroDatumProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Apicurio's datum provider, with each schema's reader and writer made once instead of for every
 * record. Apicurio asks for a new {@code DatumReader} per record, and Avro then builds its fast
 * reader anew for it (resolving aliases, comparing schemas), which cost the catalog and audit apps
 * more than the rest of a record's handling. Avro's readers and writers may be shared between
 * threads. The schemas are the registry's (one per content id) and the apps' own, so the caches
 * stay small; past {@link #MAX_CACHED} schemas (a reader of arbitrary tenants' schemas) new ones
 * are made per record as before.
 *
 * @param <T> the records' type
 */
public final class CachingAvroDatumProvider<T> extends DefaultAvroDatumProvider<T> {

    /** The most schemas whose reader (or writer) is kept. */
    static final int MAX_CACHED = 1_000;

    private final Map<Schema, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> specificWriters = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<T>> genericWriters = new ConcurrentHashMap<>();

    /** Made by Apicurio's serdes from {@code apicurio.registry.avro-datum-provider}. */
    public CachingAvroDatumProvider() {
    }

    @Override
    public DatumReader<T> createDatumReader(Schema schema) {
        return cached(readers, schema, () -> super.createDatumReader(schema));
    }

    @Override
    public DatumWriter<T> createDatumWriter(T data, Schema schema) {
        // The default provider writes specific records with a specific writer and anything else with a generic one.
        return cached(data instanceof SpecificRecord ? specificWriters : genericWriters, schema, () -> super.createDatumWriter(data, schema));
    }

    /**
     * @return the value kept for the key, else a fresh one, kept while the cache holds fewer than
     *         {@link #MAX_CACHED} (a plain get first: nearly every call finds its value)
     */
    static <K, V> V cached(Map<K, V> cache, K key, Supplier<V> made) {
        V known = cache.get(key);
        if (known != null) {
            return known;
        }
        V fresh = made.get();
        if (cache.size() < MAX_CACHED) {
            V raced = cache.putIfAbsent(key, fresh);
            return raced == null ? fresh : raced;
        }
        return fresh;
    }
}
