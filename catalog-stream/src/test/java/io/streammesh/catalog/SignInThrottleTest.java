package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SignInThrottleTest {

    private final MovableClock clock = new MovableClock();

    @Test
    void failedSignInsLockAPrincipalOrAnAddressForTheRestOfTheWindow() {
        var throttle = new SignInThrottle(2, 3, Duration.ofMinutes(15), 100, clock);
        throttle.failed("User:analytics", "10.0.0.1");
        assertThat(throttle.refusal("User:analytics", "10.0.0.1")).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        throttle.failed("User:analytics", "10.0.0.2");

        assertThat(throttle.refusal("User:analytics", "10.0.0.9"))
                .hasValue("too many failed sign-ins as User:analytics (2 within 15 min); try again in 601 s");
        assertThat(throttle.refusal("User:orders", "10.0.0.1")).isEmpty();
        throttle.failed("User:orders", "10.0.0.1");
        throttle.failed("User:customers", "10.0.0.1");
        assertThat(throttle.refusal("User:team", "10.0.0.1"))
                .hasValue("too many failed sign-ins from 10.0.0.1 (3 within 15 min); try again in 601 s");

        clock.advance(Duration.ofMinutes(10));
        assertThat(throttle.refusal("User:analytics", "10.0.0.9")).as("the first failure left the window").isEmpty();
    }
}
