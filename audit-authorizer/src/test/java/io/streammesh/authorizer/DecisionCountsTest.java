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

    /**
     * A metadata request may name a hundred thousand topics, each a distinct denied key: one
     * principal asking for ever new names filled the counts, and every other principal's allowed
     * decisions were dropped, reported only as a number.
     */
    @Test
    void aPrincipalPastItsShareOfKeysHasItsFurtherDecisionsFoldedAndLeavesTheRestToOthers() {
        var counts = new DecisionCounts(100, 1);
        for (int name = 0; name < 200; name++) {
            counts.add(new DecisionCounts.Key(7, "User:mallory", "10.0.0.66", "DESCRIBE", "TOPIC", "t-" + name, false, false));
        }
        for (int name = 0; name < 60; name++) {
            counts.add(new DecisionCounts.Key(7, "User:analytics", "10.0.0.5", "READ", "TOPIC", "orders.o-" + name + ".v1", true, false));
        }
        counts.add(new DecisionCounts.Key(7, "User:mesh-gate", "10.0.0.1", "READ", "TOPIC", "orders.o-1.v1.ingest", true, false));
        for (int name = 0; name < 10; name++) {
            counts.add(new DecisionCounts.Key(7, "User:meshwork", "10.0.0.7", "READ", "TOPIC", "t-" + name, true, false));
        }

        var events = counts.drainAll();

        assertThat(counts.takeDropped()).isZero();
        assertThat(events).filteredOn(e -> e.getPrincipal().equals("User:mallory")).hasSize(6)
                .filteredOn(e -> e.getResourceName().equals(DecisionCounts.FOLDED)).singleElement()
                .satisfies(folded -> assertThat(folded.getCount()).isEqualTo(195));
        assertThat(events).filteredOn(e -> e.getPrincipal().equals("User:analytics")).hasSize(6);
        assertThat(events).filteredOn(e -> e.getPrincipal().equals("User:mesh-gate")).hasSize(1);
        assertThat(events).filteredOn(e -> e.getPrincipal().equals("User:meshwork")).as("a tenant, whatever its name starts with").hasSize(6);

        counts.add(new DecisionCounts.Key(8, "User:mallory", "10.0.0.66", "DESCRIBE", "TOPIC", "t-0", false, false));
        assertThat(counts.drainAll()).extracting(AuthorizationEvent::getResourceName).as("its share back once drained").containsExactly("t-0");
    }
}
