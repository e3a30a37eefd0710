package io.streammesh.connector;

import io.streammesh.connector.contract.ProductContract;
import io.streammesh.schema.MeshException;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ViewSchemas;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Publishes data products, acting as the principal of its client config (the domain's):
 * <ol>
 *   <li>checks, changing nothing, that the principal owns the product's topics and registration,
 *       that the contract's version is newer than (or equal in content to) the published one, and
 *       that the registry accepts the schema (BACKWARD compatible);</li>
 *   <li>registers the schema under {@code <address>-value};</li>
 *   <li>appends a {@link ProductRegistration} to {@code mesh.registrations.<domain>}.</li>
 * </ol>
 * Once the catalog admits the registration, the platform creates the product's topics (or adds
 * the partitions and applies the retention a new version asks for); the report says what it
 * will do. A refusal at step 1 leaves nothing behind; publishing the same contract twice changes
 * nothing.
 *
 * <pre>{@code
 * try (var publisher = ProductPublisher.connect(clientConfig)) {
 *     PublishReport report = publisher.publish(DataContracts.load(Path.of("orders/order-placed.yaml")));
 * }
 * }</pre>
 */
public final class ProductPublisher implements AutoCloseable {

    private final String principal;
    private final Admin admin;
    private final SchemaRegistry registry;
    private final RegistrationLog registrations;
    private final ProductTopics topics;

    private ProductPublisher(MeshClientConfig clientConfig) {
        this.principal = clientConfig.kafkaPrincipal();
        var props = clientConfig.kafka();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-publisher");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        this.admin = Admin.create(props);
        this.registry = SchemaRegistry.connect(clientConfig);
        this.registrations = new RegistrationLog(clientConfig);
        this.topics = new ProductTopics(admin, principal);
    }

    /**
     * @param clientConfig the publishing principal's client config (Kafka and registry)
     * @return a publisher acting as that principal
     */
    public static ProductPublisher connect(MeshClientConfig clientConfig) {
        return new ProductPublisher(clientConfig);
    }

    /**
     * Publishes a product, or updates it to a newer minor or patch version of its contract.
     *
     * @param contract the validated contract
     * @return what changed
     * @throws MeshException with the one-line reason a step was refused
     */
    public PublishReport publish(ProductContract contract) {
        ProductAddress address = contract.address();
        String schemaText = contract.schema().toString();
        for (String topic : ProductTopics.of(contract)) {
            topics.check(topic, contract);
        }
        checkRegistrationTopic(address.domain());
        Optional<ProductRegistration> current = registrations.latest(address);
        current.ifPresent(published -> checkVersion(contract, published));
        registry.checkCompatible(address.valueSubject(), schemaText);
        checkViewsCompatible(contract);

        List<String> changes = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        for (String topic : ProductTopics.of(contract)) {
            topics.apply(topic, contract).ifPresentOrElse(changes::add, () -> unchanged.add("topic " + topic));
        }
        var schema = registry.register(address.valueSubject(), schemaText);
        boolean newSchema = current.map(r -> r.getSchemaContentId() == null || r.getSchemaContentId() != schema.contentId()).orElse(true);
        (newSchema ? changes : unchanged).add("schema " + address.valueSubject() + " version " + schema.version()
                + " (id " + schema.contentId() + ")");

        ProductRegistration next = contract.toRegistration(principal, Integer.valueOf(schema.version()), schema.contentId(), Instant.now());
        if (current.isPresent() && sameExceptWhen(current.get(), next)) {
            unchanged.add("registration " + address + " " + contract.version());
        } else {
            registrations.append(next);
            changes.add("registration " + address + " " + contract.version() + " written to " + MeshTopics.registrations(address.domain()));
        }
        return new PublishReport(address.toString(), changes, unchanged);
    }

    /**
     * Marks a product retired: the catalog shows it as such; its topic and data are kept.
     *
     * @param address the product
     * @return what changed
     * @throws MeshException if no such product is published
     */
    public PublishReport retire(ProductAddress address) {
        checkRegistrationTopic(address.domain());
        ProductRegistration current = registrations.latest(address).orElseThrow(() -> new MeshException(
                "no product " + address + " is published in domain " + address.domain() + "; nothing to retire"));
        if (current.getRetired()) {
            return new PublishReport(address.toString(), List.of(), List.of("registration " + address + " (already retired)"));
        }
        registrations.append(ProductRegistration.newBuilder(current).setRetired(true).setPublishedBy(principal)
                .setPublishedAt(Instant.now()).build());
        return new PublishReport(address.toString(), List.of("registration " + address + ": retired (topic and data kept)"), List.of());
    }

    /**
     * @param address a product address
     * @return its latest registration, if published (only its domain's principal may read it)
     */
    public Optional<ProductRegistration> registration(ProductAddress address) {
        return registrations.latest(address);
    }

    /**
     * Each filtered or masked view's schema, as the policy-enforcer will derive it from the new
     * version, must be one the registry accepts under the view's subject (its rule: BACKWARD, the
     * new schema reads what the registered one wrote); else the view's records would all be
     * dead-lettered once the version is admitted. The enforcer registers view schemas, so a domain
     * may read the view's subject but not test a new version against it: Avro's own check, here.
     */
    private void checkViewsCompatible(ProductContract contract) {
        ProductAddress address = contract.address();
        Set<String> encrypted = contract.contract().encryption() == null ? Set.of() : Set.copyOf(contract.contract().encryption().fields());
        for (ProductContract.View view : contract.views()) {
            if (view.filter().isEmpty() && view.masks().isEmpty()) {
                continue;
            }
            String subject = MeshTopics.valueSubject(address.viewTopic(view.name()));
            Optional<SchemaRegistry.RegisteredSchema> registered = registry.latest(subject);
            if (registered.isEmpty()) {
                continue;
            }
            Schema next = ViewSchemas.derive(contract.schema(), address.toString(), view.name(), view.masks(), encrypted);
            var result = SchemaCompatibility.checkReaderWriterCompatibility(next, new Schema.Parser().parse(registered.get().content()))
                    .getResult();
            if (result.getCompatibility() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                String reasons = SchemaRegistry.nameFields(result.getIncompatibilities().stream()
                        .map(i -> i.getMessage() + " at " + i.getLocation()).collect(Collectors.joining("; ")), next.toString());
                throw new MeshException("view '" + view.name() + "' of " + address + " would change its schema in a way its readers "
                        + "cannot follow (" + reasons + "); keep the view's masks of those fields, or publish a new major version");
            }
        }
    }

    private void checkRegistrationTopic(String domain) {
        String topic = MeshTopics.registrations(domain);
        if (!topics.exists(topic)) {
            throw new MeshException("domain " + domain + " is not onboarded (no topic " + topic
                    + "); a platform engineer onboards it with: mesh domain add " + domain);
        }
    }

    private static void checkVersion(ProductContract contract, ProductRegistration published) {
        int order = compareVersions(contract.version(), published.getVersion());
        if (order < 0) {
            throw new MeshException(contract.address() + " is published at version " + published.getVersion()
                    + "; the contract's " + contract.version() + " is older: raise its version");
        }
    }

    /** Same content, published at another time or by another principal of the domain. */
    private static boolean sameExceptWhen(ProductRegistration current, ProductRegistration next) {
        var comparable = ProductRegistration.newBuilder(next)
                .setPublishedAt(current.getPublishedAt()).setPublishedBy(current.getPublishedBy()).build();
        return comparable.equals(current);
    }

    /**
     * @param a a contract version, {@code major.minor.patch}
     * @param b another
     * @return negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}
     */
    public static int compareVersions(String a, String b) {
        int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
        return Arrays.compare(x, y);
    }

    @Override
    public void close() {
        admin.close();
        registry.close();
    }
}
