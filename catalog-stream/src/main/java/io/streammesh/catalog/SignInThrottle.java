package io.streammesh.catalog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows password guessing at the sign-in form: a principal name that failed {@code perPrincipal}
 * times from one client address, or an address that failed {@code perAddress} times, within the
 * sliding {@code window} is refused without its password being checked until its oldest failure
 * leaves the window. A name is locked per address, never everywhere: a lock on the name alone
 * would let any tenant lock another principal (an owner, an auditor) out of the portal by
 * failing as it a few times; the mesh's passwords are random, so guessing one from many
 * addresses gains nothing. Refused attempts do not count, so a lock ends on time. The address is
 * the connection's, never a forwarding header a client can set. At most {@code capacity} names
 * and addresses are tracked, each with at most its limit of failures (the newest); beyond that
 * the one idle longest is forgotten. An address limit of {@link Integer#MAX_VALUE} tracks no
 * address (the catalog's HTTP Basic logins, which {@link CallerAuthentication} throttles so).
 */
final class SignInThrottle {

    private final int perPrincipal;
    private final int perAddress;
    private final Duration window;
    private final int capacity;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new LinkedHashMap<>(16, 0.75f, true);

    SignInThrottle(int perPrincipal, int perAddress, Duration window, int capacity, Clock clock) {
        this.perPrincipal = perPrincipal;
        this.perAddress = perAddress;
        this.window = window;
        this.capacity = capacity;
        this.clock = clock;
    }

    /**
     * @param principal the Kafka principal the form names
     * @param address the client's address
     * @return why this attempt is refused unchecked; empty when it may be checked
     */
    synchronized Optional<String> refusal(String principal, String address) {
        return over(principalKey(principal, address), perPrincipal).map(retry -> "too many failed logins as " + principal + " from "
                        + address + " (" + perPrincipal + " within " + window.toMinutes() + " min); try again in " + retry.toSeconds() + " s")
                .or(() -> over("address:" + address, perAddress).map(retry -> "too many failed logins from " + address
                        + " (" + perAddress + " within " + window.toMinutes() + " min); try again in " + retry.toSeconds() + " s"));
    }

    /** Counts a failed sign-in against the principal name from the address, and the address. */
    synchronized void failed(String principal, String address) {
        Instant now = clock.instant();
        count(principalKey(principal, address), perPrincipal, now);
        if (perAddress < Integer.MAX_VALUE) {
            count("address:" + address, perAddress, now);
        }
        while (failures.size() > capacity) {
            failures.remove(failures.keySet().iterator().next());
        }
    }

    /** Keeps the key's newest failures, as many as its limit: enough to tell it is over it, and no more to hold. */
    private void count(String key, int limit, Instant now) {
        Deque<Instant> recent = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        recent.addLast(now);
        while (recent.size() > limit) {
            recent.removeFirst();
        }
    }

    private static String principalKey(String principal, String address) {
        return "principal:" + principal + "|" + address;
    }

    /** @return how long until the key may try again, when it has reached its limit */
    private Optional<Duration> over(String key, int limit) {
        Deque<Instant> recent = failures.get(key);
        if (recent == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        while (!recent.isEmpty() && !recent.peekFirst().plus(window).isAfter(now)) {
            recent.removeFirst();
        }
        if (recent.isEmpty()) {
            failures.remove(key);
            return Optional.empty();
        }
        return recent.size() < limit ? Optional.empty() : Optional.of(Duration.between(now, recent.peekFirst().plus(window)).plusSeconds(1));
    }
}
