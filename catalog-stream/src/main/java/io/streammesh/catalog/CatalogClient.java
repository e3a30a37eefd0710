package io.streammesh.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.platform.ClientConfigs;
import io.streammesh.platform.MeshException;
import io.streammesh.schema.MeshNames;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/** Reads the catalog REST API as a mesh principal. */
public final class CatalogClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param baseUrl the API's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param clientConfig the principal's client config (its SASL login is the API's too)
     */
    public CatalogClient(String baseUrl, Properties clientConfig) {
        this.baseUrl = baseUrl;
        this.authorization = basicAuthorization(clientConfig);
    }

    /**
     * @param clientConfig a principal's client config
     * @return the HTTP Basic Authorization header of its SASL login
     */
    static String basicAuthorization(Properties clientConfig) {
        String user = MeshNames.withoutKafkaPrefix(ClientConfigs.principalOf(clientConfig));
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + ClientConfigs.passwordOf(clientConfig)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param pathAndQuery e.g. {@code /api/products?q=orders}
     * @return the JSON answer
     * @throws MeshException with the API's one-line error if it does not answer 200 ({@link CatalogBusyException} for a 503)
     */
    public JsonNode get(String pathAndQuery) {
        HttpResponse<String> response = send(pathAndQuery);
        refuseUnlessOk(response);
        return json(pathAndQuery, response);
    }

    /**
     * @param pathAndQuery e.g. {@code /api/access/requests/r-1}
     * @return the JSON answer, or empty if the API answers 404 (not there yet, or not the caller's to see)
     * @throws MeshException with the API's one-line error if it answers anything else but 200
     */
    public Optional<JsonNode> find(String pathAndQuery) {
        HttpResponse<String> response = send(pathAndQuery);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        refuseUnlessOk(response);
        return Optional.of(json(pathAndQuery, response));
    }

    private static void refuseUnlessOk(HttpResponse<String> response) {
        if (response.statusCode() == 503) {
            throw new CatalogBusyException(error(response));
        }
        if (response.statusCode() != 200) {
            throw new MeshException(error(response));
        }
    }

    private HttpResponse<String> send(String pathAndQuery) {
        var request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(20))
                .header("Authorization", authorization).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new MeshException("the catalog API at " + baseUrl + " does not answer (" + e.getMessage() + "); is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted", e);
        }
    }

    private JsonNode json(String pathAndQuery, HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new MeshException("the catalog API at " + baseUrl + " answered " + pathAndQuery + " with something other than JSON", e);
        }
    }

    /** The API's own one-line error; never the body of an answer that is not the API's (a proxy's page, a stack). */
    private static String error(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body()).path("error");
            if (error.isTextual()) {
                return error.asText();
            }
        } catch (JsonProcessingException notJson) {
            // said below, by its status alone
        }
        return "the catalog API answered HTTP " + response.statusCode() + " to " + response.request().uri().getPath();
    }
}
