package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.HealthStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health tracking ({@link HealthTopology}) beside the catalog that admits the product and shows its health ({@link CatalogTopology}). */
class HealthTopologyTest {

    /** Each test's own: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    @TempDir
    Path streamsState;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    /** The gate's lag per product, as the test sets it. */
    private final Map<String, Long> gateLags = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CatalogSnapshots snapshots = new CatalogSnapshots();
    /** Governance admits the product; the global health store feeds what the REST API shows. */
    private TopologyTestDriver catalog;
    private TestInputTopic<String, ProductStats> catalogStats;
    /** Health tracking, an app of its own. */
    private TopologyTestDriver driver;
    private TestOutputTopic<String, ProductStats> stats;
    private TestInputTopic<byte[], byte[]> product;
    private TestInputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        var config = CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0);
        catalog = new TopologyTestDriver(CatalogTopology.build(config, 3, SERDES, snapshots), props("catalog-test"), START);
        catalogStats = catalog.createInputTopic(MeshTopics.PRODUCT_STATS, Serdes.String().serializer(), SERDES.of(ProductStats.class).serializer());
        driver = new TopologyTestDriver(HealthTopology.build(config, 3, SERDES,
                address -> gateLags.containsKey(address) ? OptionalLong.of(gateLags.get(address)) : OptionalLong.empty(),
                new ProductHealthMeters(meters)), props("health-test"), START);
        stats = driver.createOutputTopic(MeshTopics.PRODUCT_STATS, Serdes.String().deserializer(), SERDES.of(ProductStats.class).deserializer());
        product = driver.createInputTopic("orders.order-placed.v1", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        deadLetters = driver.createInputTopic("orders.order-placed.v1.dlq", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());

        ProductRegistration registration = CatalogTopologyTest.orders().setMaxViolationRate(0.05).setFreshnessMs(60_000L).build();
        catalog.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput(registration.getAddress(), registration);
        // What governance admitted reaches health tracking's own table of the catalog, as mesh.catalog carries it.
        var admitted = catalog.createOutputTopic(MeshTopics.CATALOG, Serdes.String().deserializer(), SERDES.of(DataProduct.class).deserializer());
        var slos = driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer());
        admitted.readKeyValuesToList().forEach(entry -> slos.pipeInput(entry.key, entry.value));
    }

    /** Each test's own state directory per app: Kafka Streams' default (/tmp/kafka-streams) is shared by every build on the machine. */
    private Properties props(String applicationId) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.resolve(applicationId).toString());
        return props;
    }

    @AfterEach
    void stop() {
        driver.close();
        catalog.close();
    }

    @Test
    void recordsWithinTheSloAreOkAndTooManyDeadLettersDegradeIt() {
        for (int i = 0; i < 20; i++) {
            product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        }
        tick(6);
        ProductStats ok = last();
        assertThat(ok.getStatus()).isEqualTo(HealthStatus.OK);
        assertThat(ok.getRecords()).isEqualTo(20);
        assertThat(snapshots.health("orders.order-placed.v1")).as("what the REST API shows, from the global health store's feed").contains(ok);

        deadLetters.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(7));
        deadLetters.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(7));
        tick(6);
        ProductStats degraded = last();
        assertThat(degraded.getStatus()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(degraded.getStatusReason()).isEqualTo("dead-letter rate 9.1% in this window (SLO 5.0%)");
    }

    @Test
    void theThroughputIsOverTheLastMinuteAndDoesNotDropToZeroWhenAWindowEnds() {
        for (int i = 0; i < 60; i++) {
            product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        }
        tick(36);
        assertThat(last().getThroughputPerSecond()).as("60 records in the window's first 35 s").isCloseTo(60 / 35.0, within(0.001));

        tick(30);
        ProductStats nextWindow = last();
        assertThat(nextWindow.getRecords()).isZero();
        assertThat(nextWindow.getPreviousWindowRecords()).isEqualTo(60);
        assertThat(nextWindow.getThroughputPerSecond()).as("55 s of the last minute in the window before")
                .isCloseTo(60 * 55 / 60.0 / 60.0, within(0.001));

        tick(60);
        assertThat(last().getThroughputPerSecond()).isZero();
    }

    @Test
    void aProductThatStopsReceivingRecordsViolatesItsFreshnessSloOnTheWallClock() {
        product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        tick(6);
        assertThat(last().getStatus()).isEqualTo(HealthStatus.OK);

        tick(70);
        ProductStats stale = last();
        assertThat(stale.getStatus()).isEqualTo(HealthStatus.VIOLATED);
        assertThat(stale.getStatusReason()).startsWith("no record for ").endsWith(" s (freshness SLO 60 s)");
    }

    @Test
    void theGatesLagIsPublishedAsItChangesAndALagOverTheBoundDegradesTheProductUntilTheGateCatchesUp() {
        product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        tick(6);
        ProductStats unmeasured = last();
        assertThat(unmeasured.getGateLag()).isNull();
        assertThat(unmeasured.getStatus()).isEqualTo(HealthStatus.OK);

        gateLags.put("orders.order-placed.v1", 40L);
        tick(5);
        ProductStats behind = last();
        assertThat(behind.getGateLag()).isEqualTo(40);
        assertThat(behind.getStatus()).as("within the bound").isEqualTo(HealthStatus.OK);

        gateLags.put("orders.order-placed.v1", CatalogConfig.Health.DEFAULT_MAX_GATE_LAG + 1);
        tick(5);
        ProductStats stopped = last();
        assertThat(stopped.getStatus()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(stopped.getStatusReason()).isEqualTo("gate lag 1001 records in orders.order-placed.v1.ingest (bound 1000): "
                + "the contract gate is behind or stopped");

        gateLags.put("orders.order-placed.v1", 0L);
        tick(5);
        ProductStats caughtUp = last();
        assertThat(caughtUp.getGateLag()).isZero();
        assertThat(caughtUp.getStatus()).isEqualTo(HealthStatus.OK);
        assertThat(caughtUp.getStatusReason()).isNull();
    }

    @Test
    void theDeadLetterRateIsTheShareOfTheGatesVerdictsThatWentToTheDeadLetterTopic() {
        gateLags.put("orders.order-placed.v1", 0L);
        for (int i = 0; i < 3; i++) {
            product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        }
        deadLetters.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        tick(6);

        ProductStats stats = last();
        assertThat(stats.getDeadLetterRate()).isEqualTo(0.25);
        assertThat(stats.getGateLag()).isZero();
    }

    @Test
    void eachHealthCheckShowsTheProductsFreshnessThroughputDeadLettersGateLagAndStatusAsGauges() {
        gateLags.put("orders.order-placed.v1", 7L);
        for (int i = 0; i < 3; i++) {
            product.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        }
        deadLetters.pipeInput(new byte[0], new byte[] {1}, START.plusSeconds(1));
        tick(6);

        assertThat(gauge("mesh.product.dead.letters")).isEqualTo(0.25);
        assertThat(gauge("mesh.product.gate.lag")).isEqualTo(7);
        assertThat(gauge("mesh.product.health")).as("VIOLATED: 25 % dead letters, over twice the SLO's 5 %").isEqualTo(2);
        assertThat(gauge("mesh.product.throughput")).as("3 records in the window's first 5 s").isCloseTo(3 / 5.0, within(0.001));
        assertThat(gauge("mesh.product.freshness")).as("seconds since the activity count that saw the last record")
                .isBetween(0.0, 6.0);

        tick(70);
        assertThat(gauge("mesh.product.health")).as("VIOLATED: no record for over 60 s").isEqualTo(2);
        assertThat(gauge("mesh.product.dead.letters")).as("a new window").isZero();
        assertThat(gauge("mesh.product.freshness")).isGreaterThan(60);
    }

    private double gauge(String name) {
        return meters.get(name).tag("product", "orders.order-placed.v1").gauge().value();
    }

    /** The wall clock moves a second at a time, as it does for the running app's punctuations. */
    private void tick(int seconds) {
        for (int i = 0; i < seconds; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
    }

    /** @return the stats health tracking published last; all it published reach the catalog, as on mesh.product.stats */
    private ProductStats last() {
        ProductStats latest = null;
        while (!stats.isEmpty()) {
            var published = stats.readKeyValue();
            catalogStats.pipeInput(published.key, published.value);
            latest = published.value;
        }
        assertThat(latest).as("stats published").isNotNull();
        return latest;
    }
}
