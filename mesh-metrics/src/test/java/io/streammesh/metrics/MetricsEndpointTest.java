package io.streammesh.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesTheAppsMetersInThePrometheusTextFormatOnAnyFreePort() throws Exception {
        try (var metrics = MetricsEndpoint.start("127.0.0.1", 0)) {
            Counter.builder("mesh.gate.records").tag("product", "orders.order-placed.v1").tag("outcome", "accepted")
                    .register(metrics.meters()).increment(3);

            HttpResponse<String> response = get(metrics.url());

            assertThat(metrics.url()).isEqualTo("http://127.0.0.1:" + metrics.port() + "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.body()).contains("mesh_gate_records_total{outcome=\"accepted\",product=\"orders.order-placed.v1\"} 3.0");
        }
    }

    @Test
    void aPortInUseIsAOneLineError() {
        try (var first = MetricsEndpoint.start("127.0.0.1", 0)) {
            assertThatThrownBy(() -> MetricsEndpoint.start("127.0.0.1", first.port()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + first.port() + ": ");
        }
    }

    @Test
    void afterCloseNothingListens() {
        var metrics = MetricsEndpoint.start("127.0.0.1", 0);
        String url = metrics.url();

        metrics.close();

        assertThatThrownBy(() -> get(url)).isInstanceOf(IOException.class);
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
