package io.streammesh.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.schema.MeshException;
import io.streammesh.client.MeshClientConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads the catalog REST API as a mesh principal. One request at a time over
 * {@link HttpURLConnection}: the CLI starts a JVM per command, and {@code java.net.http}'s client
 * sets up TLS (providers, ciphers, trust store) even for plain HTTP, a fifth of a catalog read.
 */
public final class CatalogClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private final String baseUrl;
    private final String authorization;

    /**
     * @param baseUrl the API's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param clientConfig the principal's client config (its SASL login is the API's too)
     */
    public CatalogClient(String baseUrl, MeshClientConfig clientConfig) {
        this.baseUrl = baseUrl;
        this.authorization = basicAuthorization(clientConfig);
    }

    /**
     * @param clientConfig a principal's client config
     * @return the HTTP Basic Authorization header of its SASL login
     */
    public static String basicAuthorization(MeshClientConfig clientConfig) {
        String login = clientConfig.principal() + ":" + clientConfig.password().reveal();
        return "Basic " + Base64.getEncoder().encodeToString(login.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param pathAndQuery e.g. {@code /api/products?q=orders}
     * @return the JSON answer
     * @throws MeshException with the API's one-line error if it does not answer 200 ({@link CatalogBusyException} for a 503)
     */
    public JsonNode get(String pathAndQuery) {
        Response response = send(pathAndQuery);
        refuseUnlessOk(response);
        return json(pathAndQuery, response);
    }

    /**
     * @param pathAndQuery e.g. {@code /api/products/orders.order-placed.v1/contract}
     * @return the answer's text, as the API wrote it (a document that is not JSON)
     * @throws MeshException with the API's one-line error if it does not answer 200 ({@link CatalogBusyException} for a 503)
     */
    public String text(String pathAndQuery) {
        Response response = send(pathAndQuery);
        refuseUnlessOk(response);
        return response.body();
    }

    /**
     * @param pathAndQuery e.g. {@code /api/access/requests/r-1}
     * @return the JSON answer, or empty if the API answers 404 (not there yet, or not the caller's to see)
     * @throws MeshException with the API's one-line error if it answers anything else but 200
     */
    public Optional<JsonNode> find(String pathAndQuery) {
        Response response = send(pathAndQuery);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        refuseUnlessOk(response);
        return Optional.of(json(pathAndQuery, response));
    }

    private static void refuseUnlessOk(Response response) {
        if (response.statusCode() == 503) {
            throw new CatalogBusyException(error(response));
        }
        if (response.statusCode() != 200) {
            throw new MeshException(error(response));
        }
    }

    /** An answer of the API: its status, its body, and the path it answered. */
    private record Response(int statusCode, String body, String path) {
    }

    private Response send(String pathAndQuery) {
        URI uri = URI.create(baseUrl + pathAndQuery);
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setRequestProperty("Authorization", authorization);
            int status = connection.getResponseCode();
            // Read to the end and closed, the connection goes back to the JDK's keep-alive cache for the next poll.
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                return new Response(status, body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8), uri.getPath());
            }
        } catch (IOException e) {
            if (connection != null) {
                connection.disconnect();
            }
            throw new MeshException("the catalog API at " + baseUrl + " does not answer (" + e.getMessage() + "); is the mesh running?", e);
        }
    }

    private JsonNode json(String pathAndQuery, Response response) {
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new MeshException("the catalog API at " + baseUrl + " answered " + pathAndQuery + " with something other than JSON", e);
        }
    }

    /** The API's own one-line error; never the body of an answer that is not the API's (a proxy's page, a stack). */
    private static String error(Response response) {
        try {
            JsonNode error = JSON.readTree(response.body()).path("error");
            if (error.isTextual()) {
                return error.asText();
            }
        } catch (JsonProcessingException notJson) {
            // said below, by its status alone
        }
        return "the catalog API answered HTTP " + response.statusCode() + " to " + response.path();
    }
}
