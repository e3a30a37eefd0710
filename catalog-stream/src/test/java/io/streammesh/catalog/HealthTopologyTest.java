package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.streammesh.testing.PlainAvroSerdes;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.HealthStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ProductStats;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthTopologyTest {

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    private TopologyTestDriver driver;
    private TestOutputTopic<String, ProductStats> stats;
    private TestInputTopic<byte[], byte[]> product;
    private TestInputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        var config = CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0);
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "health-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(CatalogTopology.build(config, 3, SERDES), props, START);
        stats = driver.createOutputTopic(MeshTopics.PRODUCT_STATS, Serdes.String().deserializer(), SERDES.of(ProductStats.class).deserializer());
        product = driver.createInputTopic("orders.order-placed.v1", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        deadLetters = driver.createInputTopic("orders.order-placed.v1.dlq", Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        ProductRegistration registration = CatalogTopologyTest.orders().setMaxViolationRate(0.05).setFreshnessMs(60_000L).build();
        driver.createInputTopic(MeshTopics.registrations("orders"), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput(registration.getAddress(), registration);
    }

    @AfterEach
    void stop() {
        driver.close();
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

    /** The wall clock moves a second at a time, as it does for the running app's punctuations. */
    private void tick(int seconds) {
        for (int i = 0; i < seconds; i++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
    }

    private ProductStats last() {
        ProductStats latest = null;
        while (!stats.isEmpty()) {
            latest = stats.readValue();
        }
        assertThat(latest).as("stats published").isNotNull();
        return latest;
    }
}
