package io.streammesh.connector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.credentials.BasicLogin;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's HTTP ingest, the REST-proxy side of {@code mesh produce}: a file of JSON Lines or
 * CSV posted to {@code POST /api/products/<address>/records} is fed into the product exactly as
 * {@code mesh produce} feeds it ({@link FileIngest} through a transactional {@link ProductProducer}),
 * in a JVM that is already warm, so a command that writes a few records needs no Kafka client of
 * its own. The records are written <em>as the caller</em>: its HTTP Basic login (its mesh principal
 * and password) is checked by the catalog (the product's registration is read from it with the
 * caller's own login), and the producer logs in to the broker with it, so the broker's ACLs and the
 * audit see the caller, never this service. Nothing the caller sends says who it is otherwise.
 *
 * <p>So that one tenant cannot stall the others: one ingest at a time per principal (429 for a
 * second), at most {@link #MAX_INGESTS} at a time in all (503), a body of at most
 * {@link #MAX_BODY_BYTES} (413); larger files are what {@code mesh produce} sends itself.
 * The answer is the {@link IngestSummary} as JSON ({@code summary}), with the lines that reached no topic (and those
 * in doubt) in base64, in the input's format, for the client's rejects file.
 */
public final class IngestApi implements AutoCloseable {

    /** The path of a product's records; {@code {address}} is the product's address. */
    public static final String RECORDS_PATH = "/api/products/{address}/records";
    /** The largest file taken in one request. */
    public static final long MAX_BODY_BYTES = 8L * 1024 * 1024;
    /** Ingests running at once, all principals together. */
    static final int MAX_INGESTS = 4;
    /** The longest outage wait a caller may ask for: a request holds a thread while it waits. */
    public static final Duration MAX_OUTAGE_WAIT = Duration.ofMinutes(2);

    private static final Logger LOG = LoggerFactory.getLogger(IngestApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATALOG_TIMEOUT = Duration.ofSeconds(10);
    /** How long a body may take to arrive. */
    static final Duration BODY_WITHIN = Duration.ofSeconds(60);

    private final Javalin app;
    private final String host;
    private final String catalogUrl;
    private final MeshClientConfig platform;
    private final MeterRegistry meters;
    private final Set<String> ingesting = ConcurrentHashMap.newKeySet();
    private final Semaphore slots = new Semaphore(MAX_INGESTS);

    /** A request refused with an HTTP status and a one-line reason. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private IngestApi(String host, String catalogUrl, MeshClientConfig platform, MeterRegistry meters) {
        this.host = host;
        this.catalogUrl = catalogUrl;
        this.platform = platform;
        this.meters = meters;
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.threadPool = threadPool();
            config.router.mount(router -> {
                router.post(RECORDS_PATH, this::ingest);
                router.exception(Refusal.class, (e, ctx) -> {
                    // the broker audits what a caller's producer does; what never reached it is logged here, with where it came from
                    LOG.info("Refused {} from {}: {} {}", ctx.path(), ctx.req().getRemoteAddr(), e.status, e.getMessage());
                    respond(ctx, e.status, e.getMessage());
                });
                // not 503: the client would send the file itself and wait for the same registry again
                router.exception(SchemaRegistry.Unreachable.class, (e, ctx) -> respond(ctx, 504, e.getMessage()));
                router.exception(MeshException.class, (e, ctx) -> respond(ctx, 422, e.getMessage()));
                router.exception(IllegalArgumentException.class, (e, ctx) -> respond(ctx, 400, e.getMessage()));
            });
        });
    }

    /**
     * @param host the address to listen on
     * @param port the port, or 0 for any free one
     * @param catalogUrl the catalog REST API's base URL, where callers' logins are checked and registrations read
     * @param platform a client config of the mesh (its bootstrap servers, registry and client settings are the
     *        callers'; its principal and password are never used for a caller's records)
     * @param meters where the producers count records
     * @return the API, listening
     * @throws MeshException if it cannot listen on the port
     */
    public static IngestApi start(String host, int port, String catalogUrl, MeshClientConfig platform, MeterRegistry meters) {
        var api = new IngestApi(host, catalogUrl, platform, meters);
        try {
            api.app.start(host, port);
        } catch (RuntimeException e) {
            throw new MeshException("the ingest API cannot listen on " + host + ":" + port + " (" + e.getMessage() + "); is the port in use?", e);
        }
        return api;
    }

    /** @return its base URL, e.g. {@code http://127.0.0.1:41234} */
    public String url() {
        return "http://" + host + ":" + app.port();
    }

    /**
     * The login is proven (by the catalog) before anything else is held for it: a caller who only
     * names a principal takes neither that principal's slot nor one of the mesh's. The body is
     * read into a file within a size and a time limit before an ingest slot is taken.
     */
    private void ingest(Context ctx) throws IOException {
        ProductAddress address = ProductAddress.parse(ctx.pathParam("address"));
        FileIngest.Format format = format(ctx.queryParam("format"));
        Duration outageWait = outageWait(ctx.queryParam("outageWait"));
        String authorization = ctx.header("Authorization");
        BasicLogin login = BasicLogin.parse(authorization).filter(IngestApi::fitsALoginLine).orElseThrow(() -> unauthorised(ctx));
        Optional<ProductRegistration> admitted = registration(ctx, authorization, address);
        if (ctx.contentLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (!ingesting.add(login.name())) {
            throw new Refusal(429, "an ingest of principal " + login.name() + " is running; one at a time per principal");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("mesh-ingest-");
            Path input = receive(ctx, dir.resolve("input." + format.name().toLowerCase(Locale.ROOT)));
            if (!slots.tryAcquire()) {
                throw new Refusal(503, "the ingest API is busy (" + MAX_INGESTS + " ingests running); try again, or produce with a client of your own");
            }
            try {
                respond(ctx, 200, ingest(address, format, outageWait, caller(login), admitted, input));
            } finally {
                slots.release();
            }
        } finally {
            ingesting.remove(login.name());
            if (dir != null) {
                deleteAll(dir);
            }
        }
    }

    /** Copies the body to the file: at most {@link #MAX_BODY_BYTES} (a chunked body has no length to check first), within {@link #BODY_WITHIN}. */
    private static Path receive(Context ctx, Path file) throws IOException {
        long deadline = System.nanoTime() + BODY_WITHIN.toNanos();
        long received = 0;
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = ctx.bodyInputStream(); OutputStream out = Files.newOutputStream(file)) {
            for (int read = in.read(buffer); read != -1; read = in.read(buffer)) {
                received += read;
                if (received > MAX_BODY_BYTES) {
                    throw tooLarge();
                }
                if (System.nanoTime() > deadline) {
                    throw new Refusal(408, "the body did not arrive within " + BODY_WITHIN.toSeconds() + " s");
                }
                out.write(buffer, 0, read);
            }
        }
        return file;
    }

    private static Refusal tooLarge() {
        return new Refusal(413, "the body is over " + MAX_BODY_BYTES + " bytes; mesh produce sends a larger file with a producer of its own");
    }

    private ObjectNode ingest(ProductAddress address, FileIngest.Format format, Duration outageWait, MeshClientConfig caller,
                              Optional<ProductRegistration> admitted, Path input) throws IOException {
        Path rejects = input.resolveSibling("rejects." + format.name().toLowerCase(Locale.ROOT));
        IngestSummary summary;
        try (ProductProducer<GenericRecord> producer = ProductProducer.open(address, () -> admitted, caller, meters,
                new ProductProducer.Options(outageWait, true))) {
            summary = FileIngest.ingest(input, format, producer, rejects, lines -> { });
        }
        ObjectNode answer = JSON.createObjectNode();
        answer.set("summary", JSON.valueToTree(summary));
        answer.put("rejects", encoded(rejects));
        answer.put("inDoubtLines", encoded(FileIngest.inDoubtFile(rejects)));
        return answer;
    }

    /**
     * The product's registration as the catalog admitted it, read with the caller's own login: the
     * catalog checks the login (401 here too) before anything is held or read for the caller. A
     * product the catalog does not have is looked up on the domain's registrations topic, as
     * {@code mesh produce} does. A catalog that does not answer refuses the request (503): a login
     * nobody checked gets nothing, and the client sends its file itself.
     */
    private Optional<ProductRegistration> registration(Context ctx, String authorization, ProductAddress address) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(catalogUrl + "/api/products/" + address).toURL().openConnection();
            connection.setConnectTimeout((int) CATALOG_TIMEOUT.toMillis());
            connection.setReadTimeout((int) CATALOG_TIMEOUT.toMillis());
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Accept", "application/json");
            int status = connection.getResponseCode();
            if (status == 401) {
                throw unauthorised(ctx);
            }
            if (status == 404) {
                return Optional.empty();
            }
            if (status == 429) {
                // the caller's own calls in flight, or its failed logins: its to wait out, not a catalog outage
                throw new Refusal(429, "the catalog refused this login for now (too many of its calls in flight, or failed logins); "
                        + "try again in a moment");
            }
            if (status != 200) {
                throw catalogDown("it answered " + status);
            }
            try (InputStream in = connection.getInputStream()) {
                JsonNode product = JSON.readTree(in);
                return Optional.of(CatalogRegistration.registration(address, product.path("contract")));
            }
        } catch (IOException e) {
            throw catalogDown(e.getMessage());
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static Refusal catalogDown(String why) {
        LOG.warn("Refused an ingest: the catalog, which checks logins, does not answer ({})", why);
        return new Refusal(503, "the catalog, which checks logins, does not answer (" + why + "); try again, or produce with a client of your own");
    }

    /**
     * A password goes into the SASL login line between quotes: one that could end them, or the
     * line (a control character), is no mesh password.
     */
    private static boolean fitsALoginLine(BasicLogin login) {
        return login.password().chars().noneMatch(c -> c == '"' || c == '\\' || c < 0x20 || c == 0x7f);
    }

    /** The caller's client config: the mesh's bootstrap servers, registry and client settings, the caller's login. */
    private MeshClientConfig caller(BasicLogin login) {
        var settings = new HashMap<>(platform.extra());
        settings.remove("sasl.jaas.config");
        settings.remove("client.id");
        platform.kmsSettings().keySet().forEach(settings::remove);
        return new MeshClientConfig(platform.bootstrap(), login.name(), platform.registryUrl(), new MeshClientConfig.Secret(login.password()),
                settings);
    }

    private static Refusal unauthorised(Context ctx) {
        ctx.header("WWW-Authenticate", "Basic realm=\"StreamMesh ingest\"");
        return new Refusal(401, "authenticate with your mesh principal and password (HTTP Basic)");
    }

    private static FileIngest.Format format(String format) {
        if (format == null) {
            return FileIngest.Format.JSONL;
        }
        try {
            return FileIngest.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "format '" + format + "' is not jsonl or csv");
        }
    }

    private static Duration outageWait(String millis) {
        if (millis == null) {
            return ProductProducer.Options.DEFAULT.outageWait();
        }
        try {
            long wait = Long.parseLong(millis);
            if (wait <= 0 || wait > MAX_OUTAGE_WAIT.toMillis()) {
                throw new Refusal(400, "outageWait must be between 1 and " + MAX_OUTAGE_WAIT.toMillis() + " milliseconds, not " + millis);
            }
            return Duration.ofMillis(wait);
        } catch (NumberFormatException e) {
            throw new Refusal(400, "outageWait '" + millis + "' is not a number of milliseconds");
        }
    }

    /** @return the file's bytes in base64, or null if there is no such file */
    private static String encoded(Path file) throws IOException {
        return Files.exists(file) ? Base64.getEncoder().encodeToString(Files.readAllBytes(file)) : null;
    }

    private static void deleteAll(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    private static void respond(Context ctx, int status, String error) {
        respond(ctx, status, JSON.createObjectNode().put("error", error));
    }

    private static void respond(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Ingests are few and long; their slots, not Jetty's threads, bound them. */
    private static QueuedThreadPool threadPool() {
        var pool = new QueuedThreadPool(MAX_INGESTS + 6, 2);
        pool.setName("mesh-ingest");
        pool.setDaemon(true);
        return pool;
    }

    @Override
    public void close() {
        app.stop();
    }
}
