package io.streammesh.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streammesh.client.CatalogClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * Feeds a file into a product through the mesh's {@link IngestApi}, as the principal of its
 * client config: what {@link FileIngest} does with a producer of its own, in one HTTP request and
 * without a Kafka client (a command that writes a few records is mostly a Kafka client's start).
 * Over {@link HttpURLConnection}, as {@link CatalogClient} reads, for the same reason.
 */
public final class IngestClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Beyond the outage wait: the ingest's own sending and the broker's commit. */
    private static final Duration READ_MARGIN = Duration.ofSeconds(60);

    private final String baseUrl;
    private final String authorization;

    /**
     * @param baseUrl the ingest API's base URL, e.g. {@code http://127.0.0.1:41234}
     * @param clientConfig the producing principal's client config (its SASL login is the API's too)
     */
    public IngestClient(String baseUrl, MeshClientConfig clientConfig) {
        this.baseUrl = baseUrl;
        this.authorization = CatalogClient.basicAuthorization(clientConfig);
    }

    /**
     * @param address the product
     * @param file the file to send, at most {@link IngestApi#MAX_BODY_BYTES}
     * @param format its format
     * @param rejectsFile where to write the lines that reached no topic, as {@link FileIngest#ingest}
     *        does (and those in doubt beside it)
     * @param outageWait how long the ingest may wait for the registry, the grant or the broker
     * @return what happened to every line
     * @throws Unavailable if the API took nothing (not reachable, busy, its catalog down)
     * @throws MeshException with the API's one-line reason if it refused the file, or if it stopped answering
     */
    public IngestSummary ingest(ProductAddress address, Path file, FileIngest.Format format, Path rejectsFile, Duration outageWait) {
        FileIngest.refuseToOverwrite(file, rejectsFile);
        FileIngest.refuseToOverwrite(file, FileIngest.inDoubtFile(rejectsFile));
        JsonNode answer = post(address, file, format, outageWait);
        IngestSummary summary;
        try {
            summary = JSON.treeToValue(answer.path("summary"), IngestSummary.class);
        } catch (IOException e) {
            throw new MeshException("the ingest API's answer cannot be read (" + e.getMessage() + "); is the mesh newer than the CLI?", e);
        }
        write(rejectsFile, answer.path("rejects"));
        write(FileIngest.inDoubtFile(rejectsFile), answer.path("inDoubtLines"));
        return summary;
    }

    private JsonNode post(ProductAddress address, Path file, FileIngest.Format format, Duration outageWait) {
        String url = baseUrl + IngestApi.RECORDS_PATH.replace("{address}", address.toString()) + "?format="
                + format.name().toLowerCase(Locale.ROOT) + "&outageWait=" + outageWait.toMillis();
        HttpURLConnection connection = null;
        try {
            long size = Files.size(file);
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) outageWait.plus(READ_MARGIN).toMillis());
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(size);
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Content-Type", format == FileIngest.Format.CSV ? "text/csv" : "application/x-ndjson");
            OutputStream out;
            try {
                out = connection.getOutputStream();
            } catch (ConnectException e) {
                throw new Unavailable("the ingest API at " + baseUrl + " does not answer (" + e.getMessage() + ")", e);
            }
            try (out) {
                Files.copy(file, out);
            }
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                JsonNode body = in == null ? JSON.createObjectNode() : JSON.readTree(in);
                String error = body.path("error").asText("the ingest API at " + baseUrl + " answered " + status);
                if (status == 503) {
                    throw new Unavailable(error, null);
                }
                if (status != 200) {
                    throw new MeshException(error);
                }
                return body;
            }
        } catch (NoSuchFileException e) {
            throw new MeshException("file " + file + " does not exist");
        } catch (IOException e) {
            throw new MeshException("the ingest API at " + baseUrl + " does not answer (" + e.getMessage() + ")", e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** The API took nothing: it could not be reached, or answered 503 (busy, or its catalog down); the file may be sent another way. */
    public static final class Unavailable extends MeshException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void write(Path file, JsonNode encoded) {
        try (var lines = new RejectedLines(file)) {
            if (encoded.isTextual()) {
                lines.writeAll(Base64.getDecoder().decode(encoded.asText()));
            }
        }
    }
}
