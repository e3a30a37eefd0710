package io.streammesh.audit;

import io.streammesh.schema.AuthorizationEvent;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Passes each authorisation event of the broker's authorizer once. The authorizer ships an event
 * again when it did not see it acknowledged (a lost acknowledgement, or a spool shipped after a
 * broker restart), so the same event can arrive twice; it numbers each principal's events from
 * its source 1, 2, 3… ({@code source}, {@code sequence}), and this remembers which numbers came.
 * Events without a source (other writers') pass as they are.
 */
final class ResendFilter implements FixedKeyProcessor<String, AuthorizationEvent, AuthorizationEvent> {

    /**
     * Numbers that came above an unbroken run from 1 are few: an event overtaken by a later one
     * of its principal. Past this many, the oldest gap is given up (its event was dropped by the
     * authorizer and reported as an audit gap), so memory stays bounded.
     */
    static final int MAX_AHEAD = 1000;

    private final String storeName;
    private FixedKeyProcessorContext<String, AuthorizationEvent> context;
    private KeyValueStore<String, String> arrived;

    ResendFilter(String storeName) {
        this.storeName = storeName;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, AuthorizationEvent> context) {
        this.context = context;
        this.arrived = context.getStateStore(storeName);
    }

    @Override
    public void process(FixedKeyRecord<String, AuthorizationEvent> record) {
        AuthorizationEvent event = record.value();
        if (event.getSource() == null) {
            context.forward(record);
            return;
        }
        String key = event.getSource() + " " + event.getPrincipal();
        Arrived numbers = Arrived.parse(arrived.get(key));
        if (numbers.add(event.getSequence())) {
            arrived.put(key, numbers.toString());
            context.forward(record);
        }
    }

    /** The sequence numbers that came: all up to {@code upTo}, and those in {@code ahead}. */
    static final class Arrived {
        private long upTo;
        private final TreeSet<Long> ahead = new TreeSet<>();

        /** @param text as {@link #toString} writes it, or null for none yet */
        static Arrived parse(String text) {
            var numbers = new Arrived();
            if (text != null) {
                String[] parts = text.split(":", 2);
                numbers.upTo = Long.parseLong(parts[0]);
                if (parts.length > 1) {
                    for (String number : parts[1].split(",")) {
                        numbers.ahead.add(Long.parseLong(number));
                    }
                }
            }
            return numbers;
        }

        /** @return whether the number is new (and now counted as come) */
        boolean add(long sequence) {
            if (sequence <= upTo || !ahead.add(sequence)) {
                return false;
            }
            if (ahead.size() > MAX_AHEAD) {
                upTo = ahead.first() - 1;
            }
            while (ahead.remove(upTo + 1)) {
                upTo++;
            }
            return true;
        }

        @Override
        public String toString() {
            return ahead.isEmpty() ? Long.toString(upTo)
                    : upTo + ":" + ahead.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }
}
