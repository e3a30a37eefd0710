package io.streammesh.catalog;

import static io.streammesh.catalog.CatalogTopologyTest.customers;
import static io.streammesh.catalog.CatalogTopologyTest.orders;
import static io.streammesh.catalog.CatalogTopologyTest.registration;
import static io.streammesh.catalog.CatalogTopologyTest.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.DataProduct;
import io.streammesh.schema.Grant;
import io.streammesh.schema.GrantStatus;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.ViewAccess;
import io.streammesh.testing.PlainAvroSerdes;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog in memory that pages and searches read: fed from the global catalog store's changes, one consistent snapshot per read. */
class CatalogSnapshotTopologyTest {

    @TempDir
    Path streamsState;

    private static final PlainAvroSerdes SERDES = new PlainAvroSerdes();
    private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
    private static final String ORDERS = "orders.order-placed.v1";
    private static final String CUSTOMERS = "customers.customer-profile.v1";

    private final CatalogSnapshots snapshots = new CatalogSnapshots();
    private TopologyTestDriver driver;

    @BeforeEach
    void start() {
        var config = CatalogConfig.embedded(MeshClientConfig.of("unused:9092", "catalog-test", null, "unused"), Path.of("unused"), Path.of("unused"), 0);
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "snapshot-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, streamsState.toString());
        driver = new TopologyTestDriver(CatalogTopology.build(config, 3, SERDES, snapshots), props, START);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aProductGovernanceAdmitsIsInTheNextSnapshotAndInTheGlobalStoreAsAGlobalTableWouldKeepIt() {
        assertThat(snapshots.current().products()).isEmpty();

        register("customers", customers().build());

        assertThat(snapshots.current().product(CUSTOMERS)).map(DataProduct::getAddress).contains(CUSTOMERS);
        KeyValueStore<String, ValueAndTimestamp<DataProduct>> store = driver.getTimestampedKeyValueStore(CatalogTopology.GLOBAL_CATALOG);
        assertThat(store.get(CUSTOMERS).value()).isEqualTo(snapshots.current().product(CUSTOMERS).orElseThrow());
    }

    @Test
    void aSnapshotKeepsShowingWhatItShowedWhileTheCatalogChanges() {
        register("customers", customers().build());
        CatalogSnapshot before = snapshots.current();

        register("orders", orders().build());

        assertThat(before.products()).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS);
        assertThat(snapshots.current().products()).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS, ORDERS);
        assertThat(snapshots.current()).as("no change since: the same snapshot, not a rebuilt one").isSameAs(snapshots.current());
    }

    @Test
    void aTombstoneOnTheCatalogTopicTakesTheProductOutOfTheSnapshotAndTheStore() {
        register("customers", customers().build());
        register("orders", orders().build());

        driver.createInputTopic(MeshTopics.CATALOG, Serdes.String().serializer(), SERDES.of(DataProduct.class).serializer()).pipeInput(ORDERS, null);

        assertThat(snapshots.current().products()).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS);
        assertThat(driver.getTimestampedKeyValueStore(CatalogTopology.GLOBAL_CATALOG).get(ORDERS)).isNull();
    }

    @Test
    void searchLooksCaseInsensitivelyInAddressDescriptionTagsAndOwningTeamAndAnswersByAddress() {
        register("customers", customers().setTags(List.of("Core")).build());
        register("orders", orders().setTags(List.of("sales", "core")).build());

        CatalogSnapshot catalog = snapshots.current();
        assertThat(catalog.matching("")).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS, ORDERS);
        assertThat(catalog.matching("CORE")).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS, ORDERS);
        assertThat(catalog.matching("Sales")).extracting(DataProduct::getAddress).containsExactly(ORDERS);
        assertThat(catalog.matching("orders-team")).extracting(DataProduct::getAddress).containsExactly(ORDERS);
        assertThat(catalog.matching("the customer-profile product")).extracting(DataProduct::getAddress).containsExactly(CUSTOMERS);
        assertThat(catalog.matching("nothing like it")).isEmpty();
    }

    @Test
    void lineageDownstreamIsEveryProductNamingThisOneAsAnInputSorted() {
        register("customers", customers().build());
        register("orders", orders().setLineageInputs(List.of(CUSTOMERS)).build());
        register("billing", registration("billing", "invoices", List.of(), List.of(view("full",
                ViewAccess.OWNER_APPROVAL, Map.of()))).setLineageInputs(List.of(CUSTOMERS, ORDERS)).build());

        CatalogSnapshot catalog = snapshots.current();
        assertThat(catalog.downstream(CUSTOMERS)).containsExactly("billing.invoices.v1", ORDERS);
        assertThat(catalog.downstream(ORDERS)).containsExactly("billing.invoices.v1");
        assertThat(catalog.downstream("billing.invoices.v1")).isEmpty();
    }

    @Test
    void majorVersionsAreThoseOfTheSameDomainAndNameOldestFirst() {
        register("orders", orders().setAddress("orders.order-placed.v10").setVersion("10.0.0").setSchemaSubject("orders.order-placed.v10-value").build());
        register("orders", orders().build());
        register("orders", orders().setAddress("orders.order-placed.v2").setVersion("2.0.0").setSchemaSubject("orders.order-placed.v2-value").build());
        register("orders", registration("orders", "order-placed-daily", List.of(), List.of(view("full",
                ViewAccess.OWNER_APPROVAL, Map.of()))).build());

        assertThat(snapshots.current().majorVersions(ProductAddress.parse(ORDERS)))
                .containsExactly(ORDERS, "orders.order-placed.v2", "orders.order-placed.v10");
        assertThat(snapshots.current().majorVersions(ProductAddress.parse("orders.order-placed-daily.v1")))
                .containsExactly("orders.order-placed-daily.v1");
    }

    @Test
    void theKeyServiceAllowsDecryptionOnlyToTheHolderOfAnActiveUnexpiredDecryptGrantOnThatProduct() {
        Instant now = START.plusSeconds(60);
        grant("g-1", "User:analytics", ORDERS, GrantStatus.ACTIVE, true, null);
        grant("g-2", "User:marketing", ORDERS, GrantStatus.ACTIVE, false, null);
        grant("g-3", "User:finance", ORDERS, GrantStatus.ACTIVE, true, now.minusSeconds(1));
        DecryptGrants grants = snapshots.decryptGrants();

        assertThat(grants.allow("User:analytics", ORDERS, now)).isTrue();
        assertThat(grants.allow("User:analytics", CUSTOMERS, now)).as("another product").isFalse();
        assertThat(grants.allow("User:stranger", ORDERS, now)).as("no grant").isFalse();
        assertThat(grants.allow("User:marketing", ORDERS, now)).as("a grant without decrypt").isFalse();
        assertThat(grants.allow("User:finance", ORDERS, now)).as("expired, before the access task says so").isFalse();

        grant("g-4", "User:analytics", ORDERS, GrantStatus.ACTIVE, true, null);
        grant("g-1", "User:analytics", ORDERS, GrantStatus.REVOKED, true, null);
        assertThat(grants.allow("User:analytics", ORDERS, now)).as("one of its two grants revoked").isTrue();
        driver.createInputTopic(MeshTopics.ACCESS_GRANTS, Serdes.String().serializer(), SERDES.of(Grant.class).serializer()).pipeInput("g-4", null);
        assertThat(grants.allow("User:analytics", ORDERS, now)).as("the other deleted").isFalse();
    }

    private void grant(String id, String principal, String product, GrantStatus status, boolean decrypt, Instant expiresAt) {
        Grant grant = Grant.newBuilder().setGrantId(id).setRequestId("r-" + id).setPrincipal(principal).setProduct(product).setView("full")
                .setConsumerGroup("group").setTopic(product).setPurpose("test").setStatus(status).setApprovedBy("User:orders")
                .setGrantedAt(START).setExpiresAt(expiresAt).setDecrypt(decrypt).build();
        driver.createInputTopic(MeshTopics.ACCESS_GRANTS, Serdes.String().serializer(), SERDES.of(Grant.class).serializer()).pipeInput(id, grant);
    }

    private void register(String domain, ProductRegistration registration) {
        driver.createInputTopic(MeshTopics.registrations(domain), Serdes.String().serializer(), SERDES.of(ProductRegistration.class).serializer())
                .pipeInput(registration.getAddress(), registration);
    }
}
