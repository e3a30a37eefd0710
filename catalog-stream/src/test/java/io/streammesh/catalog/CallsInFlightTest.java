package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallsInFlightTest {

    @Test
    void aPrincipalHasAtMostItsBoundOfCallsInFlightAndACallThatEndsFreesItsPlaceForItAlone() {
        var calls = new CallsInFlight(2);
        assertThat(calls.tryEnter("User:mallory")).isTrue();
        assertThat(calls.tryEnter("User:mallory")).isTrue();

        assertThat(calls.tryEnter("User:mallory")).isFalse();
        assertThat(calls.tryEnter("User:analytics")).as("another principal").isTrue();

        calls.leave("User:mallory");
        assertThat(calls.tryEnter("User:mallory")).isTrue();
        assertThat(calls.tryEnter("User:mallory")).isFalse();
    }
}
