package io.streammesh.client;

import io.apicurio.registry.rest.client.RegistryClient;
import io.apicurio.registry.rest.client.RegistryClientFactory;
import io.apicurio.registry.rest.client.exception.ArtifactNotFoundException;
import io.apicurio.registry.rest.client.exception.RestClientException;
import io.apicurio.registry.rest.client.exception.RuleViolationException;
import io.apicurio.registry.rest.v2.beans.Error;
import io.apicurio.registry.rest.v2.beans.IfExists;
import io.apicurio.registry.rest.v2.beans.RuleViolationError;
import io.apicurio.registry.types.ArtifactType;
import io.apicurio.rest.client.auth.BasicAuth;
import io.apicurio.rest.client.auth.exception.ForbiddenException;
import io.apicurio.rest.client.auth.exception.NotAuthorizedException;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshNames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh's view of the Apicurio Registry: Avro schemas by subject ({@code <topic>-value}, in
 * the default group, as {@link MeshSerdes}' TopicIdStrategy names them), under the registry's
 * global BACKWARD compatibility rule.
 */
public final class SchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistry.class);
    /** H2's answers when concurrent registrations collide in Apicurio's SQL storage (issues 2699, 4351). */
    private static final List<String> CONCURRENT_WRITE_FAILURES = List.of("Timeout trying to lock table", "Unique index or primary key violation");
    private static final int REGISTER_ATTEMPTS = 5;
    /** More versions than a product's minor versions will ever reach. */
    private static final int MAX_VERSIONS = 1000;

    private static final String GROUP = "default";
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern FIELD_PATH = Pattern.compile("/fields/(\\d+)(?:/[A-Za-z]+)*");

    private final RegistryClient client;
    private final String url;
    private final String principal;

    private SchemaRegistry(RegistryClient client, String url, String principal) {
        this.client = client;
        this.url = url;
        this.principal = principal;
    }

    /**
     * @param clientConfig a principal's client config, naming the registry and the login to it
     * @return a registry client, logged in as the config's principal
     */
    public static SchemaRegistry connect(MeshClientConfig clientConfig) {
        return connect(MeshSerdes.registryUrl(clientConfig), MeshSerdes.registryLogin(clientConfig));
    }

    /**
     * For code that knows the registry but not the broker (a Flink format reads its options).
     *
     * @param url the registry's v2 API URL
     * @param login who to log in as
     * @return a registry client, logged in as that principal
     */
    public static SchemaRegistry connect(String url, MeshSerdes.RegistryLogin login) {
        return new SchemaRegistry(RegistryClientFactory.create(url, Map.of(), new BasicAuth(login.name(), login.password())), url,
                MeshNames.kafkaPrincipal(login.name()));
    }

    /**
     * A schema version the registry holds.
     *
     * @param subject its subject
     * @param version its version within the subject
     * @param contentId the id records carry on the wire
     * @param content the schema text
     */
    public record RegisteredSchema(String subject, String version, long contentId, String content) {
    }

    /**
     * @param subject a subject
     * @return its latest version, if it has any
     */
    public Optional<RegisteredSchema> latest(String subject) {
        try {
            var meta = client.getArtifactMetaData(GROUP, subject);
            return Optional.of(new RegisteredSchema(subject, meta.getVersion(), meta.getContentId(),
                    read(client.getContentById(meta.getContentId()))));
        } catch (ArtifactNotFoundException e) {
            return Optional.empty();
        } catch (RestClientException e) {
            throw failure("read the schema of " + subject, e);
        } catch (RuntimeException e) {
            throw unavailable("read the schema of " + subject, e);
        }
    }

    /**
     * @param contentId an id as records carry it
     * @return the schema text
     */
    public String schemaById(long contentId) {
        try {
            return read(client.getContentById(contentId));
        } catch (RestClientException e) {
            throw failure("read schema id " + contentId, e);
        } catch (RuntimeException e) {
            throw unavailable("read schema id " + contentId, e);
        }
    }

    /**
     * Reads one schema with a single HTTP request, for a JVM that lives a second (the CLI):
     * Apicurio's client builds a {@code java.net.http} client, which sets up TLS even for plain
     * HTTP, the slowest part of such a read.
     *
     * @param clientConfig a principal's client config, naming the registry and the login to it
     * @param contentId an id as records carry it
     * @return the schema text
     * @throws Unreachable if the registry does not answer or fails itself (5xx)
     * @throws MeshException if it refuses the login or has no such schema
     */
    public static String schemaTextById(MeshClientConfig clientConfig, long contentId) {
        String url = MeshSerdes.registryUrl(clientConfig).replaceAll("/+$", "");
        String what = "read schema id " + contentId;
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create(url + "/ids/contentIds/" + contentId).toURL().openConnection();
            connection.setConnectTimeout((int) HTTP_TIMEOUT.toMillis());
            connection.setReadTimeout((int) HTTP_TIMEOUT.toMillis());
            // the registry takes the principal's SASL login, as the catalog API does
            connection.setRequestProperty("Authorization", CatalogClient.basicAuthorization(clientConfig));
            int status = connection.getResponseCode();
            InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            String text = body == null ? "" : read(body);
            return switch (status) {
                case 200 -> text;
                case 401 -> throw new MeshException("the schema registry at " + url + " did not accept the login of "
                        + clientConfig.kafkaPrincipal() + " (HTTP 401); check " + ClientConfigs.REGISTRY_USERNAME + " and "
                        + ClientConfigs.REGISTRY_PASSWORD + " in its client config");
                case 403 -> throw new MeshException("the schema registry refused to let " + clientConfig.kafkaPrincipal() + " "
                        + what + " (HTTP 403)");
                case 404 -> throw new MeshException("could not " + what + ": the schema registry at " + url + " has no such schema");
                default -> throw status >= 500
                        ? new Unreachable("the schema registry at " + url + " fails with HTTP " + status + " while trying to " + what
                                + "; is the mesh running?", null)
                        : new MeshException("could not " + what + ": the schema registry at " + url + " answered HTTP " + status);
            };
        } catch (IOException | UncheckedIOException e) {
            if (connection != null) {
                connection.disconnect();
            }
            throw new Unreachable("the schema registry at " + url + " does not answer (" + e.getMessage() + ") while trying to "
                    + what + "; is the mesh running?", e);
        }
    }

    /**
     * @param subject a subject
     * @return the ids records of its versions carry, oldest first; empty if it has none
     */
    public List<Long> contentIds(String subject) {
        try {
            var versions = client.listArtifactVersions(GROUP, subject, 0, MAX_VERSIONS).getVersions();
            return versions.stream().map(v -> v.getContentId() != null ? v.getContentId()
                    : client.getArtifactVersionMetaData(GROUP, subject, v.getVersion()).getContentId()).toList();
        } catch (ArtifactNotFoundException e) {
            return List.of();
        } catch (RestClientException e) {
            throw failure("list the versions of " + subject, e);
        } catch (RuntimeException e) {
            throw unavailable("list the versions of " + subject, e);
        }
    }

    /**
     * Checks that a schema may become the subject's next version, without registering it.
     *
     * @param subject the subject
     * @param schema the schema text
     * @throws MeshException with the registry's reasons if its rules refuse it
     */
    public void checkCompatible(String subject, String schema) {
        try {
            client.testUpdateArtifact(GROUP, subject, stream(schema));
        } catch (ArtifactNotFoundException e) {
            // a new subject: nothing to be compatible with
        } catch (RestClientException e) {
            MeshException failure = failure("accept the schema of " + subject, e);
            if (failure instanceof Unreachable) {
                throw failure;
            }
            throw new MeshException(nameFields(failure.getMessage(), schema), e);
        } catch (RuntimeException e) {
            throw unavailable("check the schema of " + subject, e);
        }
    }

    /**
     * Registers a schema as the subject's next version, or returns the version that already has
     * this content (compared in canonical form), so registering twice changes nothing.
     *
     * @param subject the subject
     * @param schema the Avro schema text
     * @return the version holding it
     * @throws MeshException with the registry's reasons if its rules refuse it
     */
    public RegisteredSchema register(String subject, String schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                var meta = client.createArtifact(GROUP, subject, null, ArtifactType.AVRO, IfExists.RETURN_OR_UPDATE, true,
                        stream(schema));
                return new RegisteredSchema(subject, meta.getVersion(), meta.getContentId(), schema);
            } catch (RestClientException e) {
                // Apicurio's SQL storage on H2 times out on its id sequence or hands two contents the
                // same id when several clients register at once, and may answer a create of a new
                // subject with "no artifact" (seen publishing from four threads); registering is
                // idempotent, so try again.
                String message = String.valueOf(e.getMessage());
                if (attempt < REGISTER_ATTEMPTS && (e instanceof ArtifactNotFoundException
                        || CONCURRENT_WRITE_FAILURES.stream().anyMatch(message::contains))) {
                    LOG.warn("the registry failed a concurrent registration of the schema of {} ({}); trying again ({} of {})",
                            subject, e.getClass().getSimpleName(), attempt + 1, REGISTER_ATTEMPTS);
                    continue;
                }
                throw failure("register the schema of " + subject, e);
            } catch (RuntimeException e) {
                throw unavailable("register the schema of " + subject, e);
            }
        }
    }

    /**
     * A refusal, or an {@link Unreachable} when the registry gave no HTTP answer (the client
     * reports a connection failure as an error without a code) or failed itself (5xx).
     */
    private MeshException failure(String what, RestClientException e) {
        Error error = e.getError();
        if (isOutage(e)) {
            String answer = error == null || error.getErrorCode() == null ? "does not answer" : "fails with HTTP " + error.getErrorCode();
            String cause = error == null ? e.getMessage()
                    : error.getMessage() == null ? error.getName() : error.getName() + ": " + error.getMessage();
            return new Unreachable("the schema registry at " + url + " " + answer + " (" + cause + ") while trying to " + what
                    + "; is the mesh running?", e);
        }
        String reasons = error instanceof RuleViolationError violation && violation.getCauses() != null
                && !violation.getCauses().isEmpty()
                ? violation.getCauses().stream().map(c -> c.getDescription() + (c.getContext() == null ? "" : " at " + c.getContext()))
                        .collect(Collectors.joining("; "))
                : error == null ? e.getMessage() : error.getMessage();
        String prefix = e instanceof RuleViolationException ? "the registry refused to " : "could not ";
        return new MeshException(prefix + what + ": " + reasons, e);
    }

    /**
     * Tells an outage from a verdict in a failure of Apicurio's client or serdes: the registry gave
     * no HTTP answer (the client reports a failed connection as an error without a code, or the
     * I/O failure itself shows) or failed itself (5xx), rather than refusing what was asked.
     *
     * @param failure a failure of a registry call or of a serde that made one
     * @return whether asking again later may work
     */
    public static boolean isOutage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
            if (cause instanceof RestClientException rest) {
                Error error = rest.getError();
                return error == null || error.getErrorCode() == null || error.getErrorCode() >= 500;
            }
        }
        return false;
    }

    /**
     * The registry (and Avro's compatibility check) point at fields by index
     * ({@code /fields/5/type}); people know them by name.
     *
     * @param message a message with such locations
     * @param schema the record schema they point into
     * @return the message with each field's name after its location, e.g. {@code /fields/5/type (amount)}
     */
    public static String nameFields(String message, String schema) {
        List<Schema.Field> fields;
        try {
            Schema parsed = new Schema.Parser().parse(schema);
            fields = parsed.getType() == Schema.Type.RECORD ? parsed.getFields() : List.of();
        } catch (RuntimeException e) {
            return message;
        }
        return FIELD_PATH.matcher(message).replaceAll(match -> {
            int index = Integer.parseInt(match.group(1));
            return Matcher.quoteReplacement(index < fields.size() ? match.group() + " (" + fields.get(index).name() + ")" : match.group());
        });
    }

    /**
     * A refused login or call is the caller's to fix, and asking again will not help, so it is no
     * {@link Unreachable}. The registry's client drops the reason the registry gave (its log has it).
     */
    private MeshException unavailable(String what, RuntimeException e) {
        if (e instanceof NotAuthorizedException) {
            return new MeshException("the schema registry at " + url + " did not accept the login of " + principal
                    + " (HTTP 401); check " + ClientConfigs.REGISTRY_USERNAME + " and " + ClientConfigs.REGISTRY_PASSWORD
                    + " in its client config", e);
        }
        if (e instanceof ForbiddenException) {
            return new MeshException("the schema registry refused to let " + principal + " " + what + " (HTTP 403): a domain "
                    + "writes only its own products' schemas; rules, compatibility and deletes are the platform's", e);
        }
        return new Unreachable("the schema registry at " + url + " does not answer (" + e.getMessage()
                + "); is the mesh running?", e);
    }

    /**
     * The registry did not answer: unlike a refusal or an unknown schema, nothing is wrong with
     * what was asked, and asking again later may work.
     */
    public static final class Unreachable extends MeshException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what did not answer, one line
         * @param cause the underlying failure
         */
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
