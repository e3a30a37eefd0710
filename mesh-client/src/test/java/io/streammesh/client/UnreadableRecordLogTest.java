package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class UnreadableRecordLogTest {

    private final List<String> lines = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final UnreadableRecordLog log = new UnreadableRecordLog(lines::add, clock::get);

    /** A tenant writing a million bad records writes one line a minute to the platform's log, each with the count it stands for. */
    @Test
    void aTopicsUnreadableRecordsAreLoggedOnceAMinuteWithTheCountInBetween() {
        for (int i = 0; i < 1_000; i++) {
            log.report("mesh.access.requests.flood", new SerializationException("Unknown magic byte!"));
        }
        log.report("mesh.access.requests.other", new SerializationException("Unknown magic byte!"));
        clock.addAndGet(UnreadableRecordLog.EVERY.toNanos());
        log.report("mesh.access.requests.flood", new SerializationException("Unknown magic byte!"));

        assertThat(lines).containsExactly(
                "Cannot read a record of mesh.access.requests.flood: org.apache.kafka.common.errors.SerializationException: Unknown magic byte!",
                "Cannot read a record of mesh.access.requests.other: org.apache.kafka.common.errors.SerializationException: Unknown magic byte!",
                "Cannot read a record of mesh.access.requests.flood: org.apache.kafka.common.errors.SerializationException: Unknown magic byte!"
                        + " (and 999 more unreadable record(s) of it in the last 1 min)");
    }
}
