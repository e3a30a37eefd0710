package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class AccessOrderTest {

    private static final long T = 1_796_000_000_000L;

    private final AccessOrder order = new AccessOrder(new CatalogConfig.AccessRate(2, 3));

    /** Bursts of 3, then 2 a second: the rest go behind every record in time, and get their time back. */
    @Test
    void aWritersRecordsPastItsBurstGoBehindEveryOtherRecordUntilItsRateAllowsAgain() {
        long[] times = LongStream.range(0, 5).map(i -> order.extract(record("mesh.access.requests.flood", T), T)).toArray();

        assertThat(times).startsWith(T, T, T);
        assertThat(times[3]).isEqualTo(T + AccessOrder.BEHIND).isGreaterThan(T + 1_000L * 3600 * 24 * 365 * 1000);
        assertThat(AccessOrder.timeOf(times[4])).isEqualTo(T);
        assertThat(order.extract(record("mesh.access.requests.other", T), T)).as("another writer's own rate").isEqualTo(T);
        assertThat(order.extract(record("mesh.access.requests.flood", T + 500), T)).as("half a second later: one more").isEqualTo(T + 500);
        assertThat(order.extract(record("mesh.access.requests.flood", T + 500), T)).isEqualTo(T + 500 + AccessOrder.BEHIND);
    }

    /** A time a client set near the end of time (a topic its broker does not stamp yet) stays behind, never wrapping to a negative one. */
    @Test
    void aRecordOverTheRateWithATimeNearTheEndOfTimeStaysBehind() {
        for (int i = 0; i < 3; i++) {
            order.extract(record("mesh.access.requests.late", Long.MAX_VALUE - 10), 0);
        }
        assertThat(order.extract(record("mesh.access.requests.late", Long.MAX_VALUE - 10), 0)).isEqualTo(Long.MAX_VALUE);
    }

    private static ConsumerRecord<Object, Object> record(String topic, long timestamp) {
        return new ConsumerRecord<>(topic, 0, 0, timestamp, TimestampType.LOG_APPEND_TIME, 0, 0, "k", new byte[0], new RecordHeaders(),
                Optional.empty());
    }
}
