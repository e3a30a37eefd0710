package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthStreamsTest {

    @Test
    void aPrincipalOpensAtMostItsShareAndAllAtMostTheTotalEachFreedWhenAStreamEnds() {
        var streams = new HealthStreams(2, 3);
        assertThat(streams.open("User:mallory")).isEmpty();
        assertThat(streams.open("User:mallory")).isEmpty();

        assertThat(streams.open("User:mallory")).hasValue("User:mallory has 2 live health charts open, the most it may; close a product "
                + "page first");
        assertThat(streams.open("User:orders")).as("another principal").isEmpty();
        assertThat(streams.open("User:analytics")).hasValue("the catalog shows 3 live health charts now, the most it may; reload later");

        streams.close("User:mallory");
        assertThat(streams.open("User:analytics")).isEmpty();
        streams.close("User:nobody");
        assertThat(streams.open("User:mallory")).as("a close of nothing counted frees nothing").isPresent();
    }
}
