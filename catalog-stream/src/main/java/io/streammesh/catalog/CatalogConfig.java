package io.streammesh.catalog;

import io.streammesh.client.MeshClientConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How to run catalog-stream; read once at start. {@link #embedded} gives the defaults the
 * embedded mesh runs with.
 *
 * @param clientConfig the {@code mesh-catalog} principal's client config (Kafka, SASL, registry)
 * @param stateDir where Kafka Streams keeps its local state
 * @param credentials the broker's credential file ({@code <state>/credentials}), against which REST callers
 *        authenticate ({@link io.streammesh.credentials.CredentialCheck})
 * @param restHost the address the REST API binds to
 * @param restPort its port; 0 picks a free one
 * @param governance the global rules
 * @param maxGrantDuration the longest grant (and the duration of one that names none)
 * @param expiryCheckInterval how often grants are checked for expiry
 * @param health how product health is tracked
 * @param accessRate how fast each principal's access records are taken
 * @param accessQuota how much of the access workflow each principal may hold
 * @param accessHistory how long the catalog keeps what the access workflow concluded: a request
 *        rejected, denied or withdrawn, a grant revoked or expired (and its request), an access
 *        rejection; and a registration's rejection, unless the address is admitted first (the
 *        topic {@code mesh.catalog.rejections} keeps a week of them). Then they leave its stores
 *        and {@code mesh.access.grants} (a tombstone), so that neither grows with every request
 *        ever made (a forgotten request keeps only its id and principal, so that no id is taken
 *        twice); the audit trail keeps them for good.
 */
public record CatalogConfig(MeshClientConfig clientConfig, Path stateDir, Path credentials, String restHost, int restPort,
                            GovernancePolicy governance, Duration maxGrantDuration, Duration expiryCheckInterval,
                            Health health, AccessRate accessRate, AccessQuota accessQuota, Duration accessHistory) {

    /** How long the embedded mesh keeps concluded requests, ended grants and rejections in the catalog. */
    public static final Duration DEFAULT_ACCESS_HISTORY = Duration.ofDays(90);

    /** The shortest access history: a sweep every tenth of it must be a schedule Kafka Streams takes (1 ms at least). */
    public static final Duration MIN_ACCESS_HISTORY = Duration.ofSeconds(1);
    /** The longest access history: its milliseconds must fit the clock's arithmetic. */
    public static final Duration MAX_ACCESS_HISTORY = Duration.ofDays(36_500);

    /** @throws IllegalArgumentException if the access history is outside {@link #MIN_ACCESS_HISTORY} to {@link #MAX_ACCESS_HISTORY} */
    public CatalogConfig {
        if (accessHistory == null || accessHistory.compareTo(MIN_ACCESS_HISTORY) < 0 || accessHistory.compareTo(MAX_ACCESS_HISTORY) > 0) {
            throw new IllegalArgumentException("the access history must be between " + MIN_ACCESS_HISTORY + " and " + MAX_ACCESS_HISTORY
                    + ", not " + accessHistory);
        }
    }

    /**
     * @return how often the stores are swept for what left the access history: a tenth of it, at
     *         most hourly, so nothing stays much past it and a sweep (which reads every request)
     *         runs rarely
     */
    public Duration accessHistorySweep() {
        Duration tenth = accessHistory.dividedBy(10);
        return tenth.compareTo(Duration.ofHours(1)) < 0 ? tenth : Duration.ofHours(1);
    }

    /**
     * How many requests or decisions one writer (a principal's request or decision topic) may put
     * through the access task every principal shares ({@link AccessOrder}): the task reads the
     * records over it after everyone else's and refuses them unread, audited once a second per
     * writer with their count.
     *
     * @param recordsPerSecond the sustained rate
     * @param burst how many may come at once (a script filing or approving a batch)
     */
    public record AccessRate(double recordsPerSecond, int burst) {

        /** @throws IllegalArgumentException unless both are positive */
        public AccessRate {
            if (!(recordsPerSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("an access rate needs a positive rate and burst, not " + recordsPerSecond + "/s and " + burst);
            }
        }

        /**
         * @return 200 a second in bursts of 5,000: far more than people and scripts file or decide
         *         (the scale benchmark files 2,000 at once), far less than the task takes
         */
        public static AccessRate defaults() {
            return new AccessRate(200, 5_000);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s records a second (bursts of %,d)",
                    BigDecimal.valueOf(recordsPerSecond).stripTrailingZeros().toPlainString(), burst);
        }
    }

    /**
     * How much of the access workflow one principal may hold in one access task: past it a request
     * is rejected (rule {@code principal-quota}) until some of its requests are decided or its
     * grants end, so that no tenant grows the catalog's stores, its owners' inboxes or the broker's
     * ACLs (three a grant) without bound. The access inputs are spread over the access tasks by
     * request id, so a principal's bound in all is about this many times the tasks.
     *
     * @param openRequests requests waiting for a decision (PENDING, AWAITING_SECOND_APPROVAL)
     * @param activeGrants ACTIVE grants
     */
    public record AccessQuota(int openRequests, int activeGrants) {

        /** @throws IllegalArgumentException unless both are positive */
        public AccessQuota {
            if (openRequests < 1 || activeGrants < 1) {
                throw new IllegalArgumentException("an access quota needs positive bounds, not " + openRequests + " and " + activeGrants);
            }
        }

        /** @return 1,000 open requests and 5,000 active grants a task: more than a team asks of a mesh (the scale benchmark's teams hold 2,000 each in all) */
        public static AccessQuota defaults() {
            return new AccessQuota(1_000, 5_000);
        }
    }

    /**
     * @param countInterval how often per-partition record counts are summed
     * @param checkInterval how often each product's status is evaluated
     * @param refreshInterval how often stats are published even when the status did not change
     * @param window the tumbling window of counts and rates
     * @param maxGateLag the most records a product's ingest topic may hold that the contract gate has
     *        not processed before the product is DEGRADED (contracts have no such SLO: one bound for all);
     *        the lag is measured every {@code checkInterval}
     */
    public record Health(Duration countInterval, Duration checkInterval, Duration refreshInterval, Duration window, long maxGateLag) {

        /** The default gate lag bound: seconds of a busy product's records, far more than a running gate leaves. */
        public static final long DEFAULT_MAX_GATE_LAG = 1_000;

        /** @throws IllegalArgumentException if the gate lag bound is negative */
        public Health {
            if (maxGateLag < 0) {
                throw new IllegalArgumentException("maxGateLag must not be negative, not " + maxGateLag);
            }
        }

        /** @return the defaults: counts every second, status every 5 s, published at least every 30 s, one-minute windows, gate lag up to 1,000 records */
        public static Health defaults() {
            return new Health(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(1), DEFAULT_MAX_GATE_LAG);
        }
    }

    /** The catalog REST API's usual port. */
    public static final int DEFAULT_REST_PORT = 8080;

    /**
     * @param clientConfig the {@code mesh-catalog} principal's client config
     * @param stateDir where Kafka Streams keeps its local state
     * @param credentials the mesh's credential store
     * @param restPort the REST API's port, 0 for a free one
     * @return the embedded mesh's defaults
     */
    public static CatalogConfig embedded(MeshClientConfig clientConfig, Path stateDir, Path credentials, int restPort) {
        return new CatalogConfig(clientConfig, stateDir, credentials, "127.0.0.1", restPort, GovernancePolicy.defaults(),
                Duration.ofDays(365), Duration.ofSeconds(1), Health.defaults(), AccessRate.defaults(), AccessQuota.defaults(),
                DEFAULT_ACCESS_HISTORY);
    }

    /** @param host the REST API's address @param port its port @return a copy using them */
    public CatalogConfig withRest(String host, int port) {
        return new CatalogConfig(clientConfig, stateDir, credentials, host, port, governance, maxGrantDuration,
                expiryCheckInterval, health, accessRate, accessQuota, accessHistory);
    }

    /** @param rate another access rate @return a copy using it */
    public CatalogConfig withAccessRate(AccessRate rate) {
        return new CatalogConfig(clientConfig, stateDir, credentials, restHost, restPort, governance, maxGrantDuration,
                expiryCheckInterval, health, rate, accessQuota, accessHistory);
    }

    /** @param quota another access quota @return a copy using it */
    public CatalogConfig withAccessQuota(AccessQuota quota) {
        return new CatalogConfig(clientConfig, stateDir, credentials, restHost, restPort, governance, maxGrantDuration,
                expiryCheckInterval, health, accessRate, quota, accessHistory);
    }

    /** @param history how long concluded access records stay @return a copy keeping them so long */
    public CatalogConfig withAccessHistory(Duration history) {
        return new CatalogConfig(clientConfig, stateDir, credentials, restHost, restPort, governance, maxGrantDuration,
                expiryCheckInterval, health, accessRate, accessQuota, history);
    }

    /** @param policy other global rules @return a copy using them */
    public CatalogConfig withGovernance(GovernancePolicy policy) {
        return new CatalogConfig(clientConfig, stateDir, credentials, restHost, restPort, policy, maxGrantDuration,
                expiryCheckInterval, health, accessRate, accessQuota, accessHistory);
    }
}
