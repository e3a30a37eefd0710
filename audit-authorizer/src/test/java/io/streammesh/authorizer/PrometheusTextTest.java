package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void samplesOfOneFamilyShareOneTypeLineAndFamiliesAreSortedByName() {
        var text = new PrometheusText();
        text.gauge("kafka_b", Map.of(), 2);
        text.counter("kafka_a_total", Map.of("outcome", "denied"), 3);
        text.counter("kafka_a_total", Map.of("outcome", "allowed"), 7);

        assertThat(text.render()).isEqualTo("""
                # TYPE kafka_a_total counter
                kafka_a_total{outcome="denied"} 3.0
                kafka_a_total{outcome="allowed"} 7.0
                # TYPE kafka_b gauge
                kafka_b 2.0
                """);
    }

    @Test
    void namesAndLabelKeysAreReducedToTheFormatsCharactersAndLabelValuesEscaped() {
        var text = new PrometheusText();
        text.gauge("kafka_socket-server-metrics_request.rate", Map.of("client-id", "a\"b\\c\nd", "1st", "x"), 0.5);

        assertThat(text.render()).isEqualTo("""
                # TYPE kafka_socket_server_metrics_request_rate gauge
                kafka_socket_server_metrics_request_rate{_1st="x",client_id="a\\"b\\\\c\\nd"} 0.5
                """);
    }

    @Test
    void notANumberAndInfinitiesAreWrittenAsPrometheusSpellsThem() {
        var text = new PrometheusText();
        text.gauge("g", Map.of("v", "nan"), Double.NaN);
        text.gauge("g", Map.of("v", "up"), Double.POSITIVE_INFINITY);
        text.gauge("g", Map.of("v", "down"), Double.NEGATIVE_INFINITY);

        assertThat(text.render()).contains("g{v=\"nan\"} NaN\n", "g{v=\"up\"} +Inf\n", "g{v=\"down\"} -Inf\n");
    }
}
