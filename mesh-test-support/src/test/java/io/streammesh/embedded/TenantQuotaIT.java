package io.streammesh.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.MeshTopics;
import io.streammesh.testing.MeshTest;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * One tenant must not stall the others by flooding the brokers: every principal but the
 * platform's own has Kafka's client quotas ({@link TenantQuota}), which the brokers enforce by
 * throttling that principal alone.
 */
@MeshTest
class TenantQuotaIT {

    private static final ClientQuotaEntity DEFAULT_USER = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.USER, null));

    @Test
    void everyTenantHasTheDefaultQuotaAndThePlatformsPrincipalsNone(EmbeddedMesh mesh) {
        assertThat(TenantQuota.quotasOf(mesh.admin(), DEFAULT_USER)).isEqualTo(Map.of(
                TenantQuota.PRODUCER_BYTE_RATE, (double) (64L << 20),
                TenantQuota.CONSUMER_BYTE_RATE, (double) (128L << 20),
                TenantQuota.REQUEST_PERCENTAGE, 200.0));
        Stream.concat(Stream.of(MeshPrincipal.ADMIN), Stream.of(PlatformApp.values()).map(PlatformApp::principal)).forEach(platform ->
                assertThat(TenantQuota.quotasOf(mesh.admin(), user(platform.name()))).as(platform.name())
                        .containsEntry(TenantQuota.PRODUCER_BYTE_RATE, (double) Long.MAX_VALUE)
                        .containsEntry(TenantQuota.REQUEST_PERCENTAGE, (double) Integer.MAX_VALUE));
    }

    /**
     * With the default lowered to 256 KiB/s by an operator (kept when the platform is brought into
     * place again, as at every start), a tenant writing as fast as it can is throttled by the broker;
     * the platform's principal writing the same at the same time is not.
     */
    @Test
    void aTenantFloodingTheBrokerIsThrottledAloneAndAnOperatorsDefaultIsKept(EmbeddedMesh mesh) throws Exception {
        mesh.onboarding().addDomain("quota-flood");
        String topic = MeshTopics.registrations("quota-flood");
        setDefaultProducerRate(mesh.admin(), 256 * 1024);
        try {
            mesh.onboarding().ensurePlatform();
            assertThat(TenantQuota.quotasOf(mesh.admin(), DEFAULT_USER)).containsEntry(TenantQuota.PRODUCER_BYTE_RATE, 256.0 * 1024);

            try (var tenant = producer(mesh.clientConfig("quota-flood")); var platform = producer(mesh.clientConfig("mesh-admin"))) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                    send(tenant, topic);
                    send(platform, topic);
                    assertThat(throttleMs(tenant)).as("the tenant's produce throttle time").isPositive();
                });
                assertThat(throttleMs(platform)).as("the platform's produce throttle time").isZero();
            }
        } finally {
            setDefaultProducerRate(mesh.admin(), TenantQuota.DEFAULT.producerBytesPerSecond());
        }
    }

    /** An operator who throttles a platform app (say, a gate that starves the broker) keeps that throttle across starts. */
    @Test
    void anOperatorsQuotaOnAPlatformPrincipalIsKept(EmbeddedMesh mesh) throws Exception {
        ClientQuotaEntity gate = user(PlatformApp.GATE.principal().name());
        mesh.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(gate,
                List.of(new ClientQuotaAlteration.Op(TenantQuota.REQUEST_PERCENTAGE, 50.0))))).all().get();
        try {
            mesh.onboarding().ensurePlatform();

            assertThat(TenantQuota.quotasOf(mesh.admin(), gate)).containsEntry(TenantQuota.REQUEST_PERCENTAGE, 50.0);
        } finally {
            mesh.admin().alterClientQuotas(List.of(new ClientQuotaAlteration(gate,
                    List.of(new ClientQuotaAlteration.Op(TenantQuota.REQUEST_PERCENTAGE, (double) Integer.MAX_VALUE))))).all().get();
        }
    }

    private static void setDefaultProducerRate(Admin admin, long bytesPerSecond) throws Exception {
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(DEFAULT_USER,
                List.of(new ClientQuotaAlteration.Op(TenantQuota.PRODUCER_BYTE_RATE, (double) bytesPerSecond))))).all().get();
    }

    private static KafkaProducer<byte[], byte[]> producer(MeshClientConfig config) {
        var props = config.kafka();
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Half a megabyte, acknowledged. */
    private static void send(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
        for (int i = 0; i < 5; i++) {
            producer.send(new ProducerRecord<>(topic, "bulk".getBytes(), new byte[100 * 1024]));
        }
        producer.flush();
    }

    private static double throttleMs(KafkaProducer<?, ?> producer) {
        return producer.metrics().entrySet().stream()
                .filter(metric -> metric.getKey().group().equals("producer-metrics") && metric.getKey().name().equals("produce-throttle-time-max"))
                .mapToDouble(metric -> (Double) metric.getValue().metricValue())
                .findFirst().orElseThrow();
    }

    private static ClientQuotaEntity user(String name) {
        return new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, name));
    }
}
