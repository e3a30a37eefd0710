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
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
     * @throws Unavailable if the API took nothing (not reachable, busy, its catalog down, the principal's other ingest running)
     * @throws MeshException with the API's one-line reason if it refused the file, or if it stopped answering
     */
    public IngestSummary ingest(ProductAddress address, Path file, FileIngest.Format format, Path rejectsFile, Duration outageWait) {
        FileIngest.refuseToOverwrite(file, rejectsFile);
        FileIngest.refuseToOverwrite(file, FileIngest.inDoubtFile(rejectsFile));
        // opened first: a directory the lines not sent cannot be written to is said before anything is sent
        try (var rejects = new RejectedLines(rejectsFile); var inDoubt = new RejectedLines(FileIngest.inDoubtFile(rejectsFile))) {
            JsonNode answer = post(address, file, format, outageWait);
            IngestSummary summary;
            try {
                summary = JSON.treeToValue(answer.path("summary"), IngestSummary.class);
            } catch (IOException e) {
                throw new MeshException("the ingest API's answer cannot be read (" + e.getMessage() + "); is the mesh newer than the CLI?", e);
            }
            write(rejects, answer.path("rejects"));
            write(inDoubt, answer.path("inDoubtLines"));
            return summary;
        }
    }

    private JsonNode post(ProductAddress address, Path file, FileIngest.Format format, Duration outageWait) {
        String url = baseUrl + IngestApi.RECORDS_PATH.replace("{address}", address.toString()) + "?format="
                + format.name().toLowerCase(Locale.ROOT) + "&outageWait=" + outageWait.toMillis();
        HttpURLConnection connection = null;
        try {
            long size = Files.size(file);
            connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            // the API's longest answer: the login check and the body, the registry or grant wait, then the broker's
            connection.setReadTimeout((int) outageWait.multipliedBy(2).plus(READ_MARGIN).toMillis());
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(size);
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Content-Type", format == FileIngest.Format.CSV ? "text/csv" : "application/x-ndjson");
            try (OutputStream out = connection.getOutputStream()) {
                Files.copy(file, out);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (IOException e) {
                // the API ingests nothing before it has the whole body: a refusal that cut the upload short took nothing
                throw new Unavailable("the ingest API at " + baseUrl + " did not take the file (" + e.getMessage() + ")", e);
            }
            return answer(connection, address);
        } catch (NoSuchFileException e) {
            throw new MeshException("file " + file + " does not exist");
        } catch (IOException e) {
            throw new MeshException("cannot send " + file + " to the ingest API at " + baseUrl + ": " + e.getMessage(), e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** What the API answered once it had the whole file: from here on, a lost answer leaves the lines in doubt. */
    private JsonNode answer(HttpURLConnection connection, ProductAddress address) {
        int status;
        String text;
        try {
            status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new MeshException("the ingest API at " + baseUrl + " stopped answering once it had the file (" + e.getMessage()
                    + "): its lines may or may not be on " + address.ingestTopic() + "; check it before sending them again", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException e) {
            throw new MeshException("the ingest API at " + baseUrl + " answered " + status + " without a reason it could give: "
                    + text.lines().findFirst().orElse(""), e);
        }
        String error = body.path("error").asText("the ingest API at " + baseUrl + " answered " + status);
        if (status == 503 || status == 429) {
            throw new Unavailable(error, null);
        }
        if (status != 200) {
            throw new MeshException(error);
        }
        return body;
    }

    /**
     * The API took nothing: it could not be reached or cut the upload short, or answered 503 (busy,
     * its catalog down) or 429 (another ingest of the principal running); the file may be sent another way.
     */
    public static final class Unavailable extends MeshException {
        private static final long serialVersionUID = 1L;

        Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void write(RejectedLines lines, JsonNode encoded) {
        if (encoded.isTextual()) {
            lines.writeAll(Base64.getDecoder().decode(encoded.asText()));
        }
    }
}
