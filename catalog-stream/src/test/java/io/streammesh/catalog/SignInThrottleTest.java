package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private final MovableClock clock = new MovableClock();

    @Test
    void failedSignInsLockAPrincipalFromItsAddressOrAnAddressForTheRestOfTheWindow() {
        var throttle = new SignInThrottle(2, 3, Duration.ofMinutes(15), 100, clock);
        throttle.failed("User:analytics", "10.0.0.1");
        assertThat(throttle.refusal("User:analytics", "10.0.0.1")).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        throttle.failed("User:analytics", "10.0.0.1");

        assertThat(throttle.refusal("User:analytics", "10.0.0.1"))
                .hasValue("too many failed logins as User:analytics from 10.0.0.1 (2 within 15 min); try again in 601 s");
        assertThat(throttle.refusal("User:orders", "10.0.0.1")).isEmpty();
        throttle.failed("User:orders", "10.0.0.1");
        assertThat(throttle.refusal("User:team", "10.0.0.1"))
                .hasValue("too many failed logins from 10.0.0.1 (3 within 15 min); try again in 601 s");

        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.refusal("User:analytics", "10.0.0.1")).as("the first failure left the window").isEmpty();
    }

    /**
     * A tenant failing as another principal must not lock that principal (an owner who approves,
     * an auditor) out of the portal: the name is locked for the failing address only.
     */
    @Test
    void failingAsAnotherPrincipalLocksItOutOnlyFromTheFailingAddress() {
        var throttle = new SignInThrottle(2, 20, Duration.ofMinutes(15), 100, clock);
        for (String address : new String[] {"10.0.0.66", "10.0.0.66", "10.0.0.67", "10.0.0.67"}) {
            throttle.failed("User:orders", address);
        }

        assertThat(throttle.refusal("User:orders", "10.0.0.66")).isPresent();
        assertThat(throttle.refusal("User:orders", "10.0.0.67")).isPresent();
        assertThat(throttle.refusal("User:orders", "10.0.0.5")).as("the owner at its own address").isEmpty();
    }
}
