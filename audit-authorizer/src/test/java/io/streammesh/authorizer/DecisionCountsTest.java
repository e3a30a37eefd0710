package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.AuthorizationEvent;
import org.junit.jupiter.api.Test;

class DecisionCountsTest {

    /**
     * A group id is any length a client sends: a flood of refused joins naming megabyte ids would
     * fill the broker's heap, and an event quoting one would not fit a record.
     */
    @Test
    void aResourceNameIsCountedAndShippedCutToItsBound() {
        var counts = new DecisionCounts(10, 1);
        String huge = "g".repeat(1_000_000);
        counts.add(new DecisionCounts.Key(7, "User:mallory", "10.0.0.66", "READ", "GROUP", huge, false, false));
        counts.add(new DecisionCounts.Key(7, "User:mallory", "10.0.0.66", "READ", "GROUP", huge + "other", false, false));

        AuthorizationEvent event = counts.drainAll().get(0);

        assertThat(event.getResourceName()).hasSize(DecisionCounts.MAX_RESOURCE_NAME).startsWith("ggg").endsWith("…");
        assertThat(event.getCount()).as("names alike to their bound count as one").isEqualTo(2);
    }
}
