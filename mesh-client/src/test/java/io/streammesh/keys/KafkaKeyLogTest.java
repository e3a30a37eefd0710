package io.streammesh.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import java.net.URI;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

class KafkaKeyLogTest {

    /** A broker no name resolves: a Kafka client made for it fails at once. */
    private static final MeshClientConfig NOWHERE = MeshClientConfig.of("broker.invalid:9092", "mesh-gate",
            URI.create("http://registry.invalid:8080/apis/registry/v2"), "secret");

    @Test
    void aKeyLogNeverUsedMakesNoClientSoAHolderWithoutEncryptedProductsKeepsNone() {
        var log = new KafkaKeyLog(NOWHERE);

        assertThat(log.writes()).isTrue();
        log.close();
        assertThat(KafkaKeyLog.reader(NOWHERE).writes()).isFalse();
    }

    @Test
    void itsClientsAreMadeOnFirstUse() {
        var log = new KafkaKeyLog(NOWHERE);

        assertThatThrownBy(() -> log.write("orders", "c-1", new byte[] {1})).isInstanceOf(KafkaException.class);
        assertThatThrownBy(() -> KafkaKeyLog.reader(NOWHERE).write("orders", "c-1", new byte[] {1}))
                .isInstanceOf(MeshException.class).hasMessageContaining("only reads mesh.keys.orders");
    }
}
