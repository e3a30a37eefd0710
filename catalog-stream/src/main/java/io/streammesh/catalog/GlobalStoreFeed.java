package io.streammesh.catalog;

import java.util.Iterator;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * A global store's processor that keeps the store as a global table would (latest value per
 * key, with its record's timestamp; a tombstone deletes) and tells a {@link Target} in memory
 * of every change. Kafka Streams restores a global store with a custom processor by running its
 * records through a fresh instance, and a store it finds on disk is not replayed from the
 * start, so {@link #init} hands the target the whole store first: the target then matches the
 * store whether it was restored, replayed or is being fed live.
 *
 * @param <V> the store's values
 */
final class GlobalStoreFeed<V> implements Processor<String, V, Void, Void> {

    /**
     * What a feed keeps up to date. Called on the global thread only.
     *
     * @param <V> the values
     */
    interface Target<V> {

        /** @param entries every entry of the store now, replacing whatever the target held */
        void reload(Iterator<KeyValue<String, V>> entries);

        /** @param key a changed key @param value its new value, null when it was deleted */
        void apply(String key, V value);
    }

    private final String storeName;
    private final Target<V> target;
    private TimestampedKeyValueStore<String, V> store;

    /**
     * @param storeName the global store it keeps
     * @param target what hears of every change
     */
    GlobalStoreFeed(String storeName, Target<V> target) {
        this.storeName = storeName;
        this.target = target;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
        try (KeyValueIterator<String, ValueAndTimestamp<V>> all = store.all()) {
            target.reload(new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return all.hasNext();
                }

                @Override
                public KeyValue<String, V> next() {
                    KeyValue<String, ValueAndTimestamp<V>> entry = all.next();
                    return KeyValue.pair(entry.key, entry.value.value());
                }
            });
        }
    }

    @Override
    public void process(Record<String, V> record) {
        if (record.key() == null) {
            // As a global table does: a record without a key names nothing to keep.
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
        } else {
            store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
        }
        target.apply(record.key(), record.value());
    }
}
