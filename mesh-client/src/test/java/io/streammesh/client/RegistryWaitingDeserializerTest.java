package io.streammesh.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.apicurio.registry.rest.client.exception.RestClientException;
import io.apicurio.registry.rest.v2.beans.Error;
import java.io.EOFException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class RegistryWaitingDeserializerTest {

    @Test
    void aRegistryThatDoesNotAnswerIsWaitedFor() {
        var tries = new AtomicInteger();
        Deserializer<String> flaky = (topic, data) -> {
            if (tries.incrementAndGet() <= 2) {
                // what Apicurio's client throws when the connection is refused: an error with no HTTP status
                throw new RestClientException(error(null, "ConnectException"));
            }
            return new String(data);
        };

        String value = new RegistryWaitingDeserializer<>(flaky, Duration.ofMillis(10)).deserialize("mesh.catalog", "v".getBytes());

        assertThat(value).isEqualTo("v");
        assertThat(tries).hasValue(3);
    }

    @Test
    void anAnswerSuchAsNotFoundFailsAtOnce() {
        var tries = new AtomicInteger();
        Deserializer<String> unknownId = (topic, data) -> {
            tries.incrementAndGet();
            throw new RestClientException(error(404, "ArtifactNotFoundException"));
        };

        assertThatThrownBy(() -> new RegistryWaitingDeserializer<>(unknownId, Duration.ofMillis(10)).deserialize("mesh.catalog", new byte[1]))
                .isInstanceOf(RestClientException.class);
        assertThat(tries).hasValue(1);
    }

    @Test
    void aConnectionFailureAnywhereInTheCausesCountsAsUnreachableAndACorruptRecordDoesNot() {
        assertThat(RegistryWaitingDeserializer.registryUnreachable(new SerializationException("x", new ConnectException("refused")))).isTrue();
        assertThat(RegistryWaitingDeserializer.registryUnreachable(new SerializationException("not Avro"))).isFalse();
        // how Apicurio reports a record whose Avro does not decode: no outage, a corrupt record
        assertThat(RegistryWaitingDeserializer.registryUnreachable(new UncheckedIOException(new EOFException()))).isFalse();
        assertThat(RegistryWaitingDeserializer.registryUnreachable(new RestClientException(error(null, "JsonParseException")))).isFalse();
    }

    private static Error error(Integer code, String name) {
        var error = new Error();
        error.setErrorCode(code);
        error.setName(name);
        return error;
    }
}
