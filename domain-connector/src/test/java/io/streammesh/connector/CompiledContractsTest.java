package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.QualityRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gate's tasks share each product's compiled contract: one registry look-up and one compilation per registration,
 * made ahead at the gate's start for the catalogued products.
 */
class CompiledContractsTest {

    private static final ProductAddress ADDRESS = ProductAddress.parse("shop.order-placed.v1");
    private static final Schema ORDER = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA);

    private final AtomicInteger versionLookups = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger schemaLookups = new AtomicInteger();
    /** What the registry's schema look-up does first, e.g. wait or fail. */
    private volatile Runnable registry = () -> { };
    private final ProductSchemas schemas = new ProductSchemas() {
        @Override
        public Schema schema(long contentId) {
            registry.run();
            schemaLookups.incrementAndGet();
            return ORDER;
        }

        @Override
        public Set<Long> versions(String subject) {
            versionLookups.incrementAndGet();
            return versionLookups.get() == 1 ? Set.of(1L) : Set.of(1L, 2L);
        }
    };
    private final CompiledContracts contracts = new CompiledContracts(schemas, Runnable::run, now::get);
    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    @Test
    void aRegistrationIsCompiledOnceForEveryTaskThatMeetsIt() {
        CompiledContracts.Compiled first = contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0"));
        CompiledContracts.Compiled again = contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0"));

        assertThat(again).isSameAs(first);
        assertThat(versionLookups).hasValue(1);
        assertThat(schemaLookups).hasValue(1);
        assertThat(first.versions()).containsExactly(1L);
    }

    @Test
    void aNewRegistrationOfTheProductIsCompiledAgain() {
        CompiledContracts.Compiled first = contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0"));
        CompiledContracts.Compiled next = contracts.of(ADDRESS, registration("1.1.0", "record.amount > 1"));

        assertThat(next).isNotSameAs(first);
        assertThat(next.registration().getVersion()).isEqualTo("1.1.0");
        assertThat(versionLookups).as("a new version may come with a new schema version").hasValue(2);
    }

    @Test
    void aTaskThatStartsLaterAsksTheRegistryForTheVersionsAgainAndKeepsTheCompiledRules() {
        CompiledContracts.Compiled first = contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0"));
        now.addAndGet(CompiledContracts.VERSIONS_FRESH.toMillis());

        CompiledContracts.Compiled later = contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0"));

        assertThat(later.versions()).as("a version the first answer did not have").containsExactlyInAnyOrder(1L, 2L);
        assertThat(later.rules()).isSameAs(first.rules());
        assertThat(schemaLookups).hasValue(1);
        assertThat(first.versions()).as("a check made before keeps what it was given").containsExactly(1L);
    }

    @Test
    void aRuleThatDoesNotCompileIsRefusedWithTheSameFailureForAMinuteThenCompiledAgain() {
        ProductRegistration broken = registration("1.0.0", "record.nosuchfield > 0");

        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class).hasMessageContaining("positive");
        assertThat(schemaLookups).as("not compiled again at each task's look-up").hasValue(1);

        now.addAndGet(CompiledContracts.FAILURE_KEPT.toMillis());
        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class);
        assertThat(schemaLookups).hasValue(2);
        CompiledContracts.Compiled fixed = contracts.of(ADDRESS, registration("1.0.1", "record.amount > 0"));
        assertThat(fixed.registration().getVersion()).as("a new registration is compiled at once").isEqualTo("1.0.1");
    }

    @Test
    void anUnreachableRegistryIsNoFailureOfTheContract() {
        registry = () -> {
            throw new SchemaRegistry.Unreachable("the schema registry does not answer", null);
        };
        ProductRegistration registration = registration("1.0.0", "record.amount > 0");
        assertThatThrownBy(() -> contracts.of(ADDRESS, registration)).isInstanceOf(SchemaRegistry.Unreachable.class);

        registry = () -> { };
        assertThat(contracts.of(ADDRESS, registration).registration()).as("asked again at once").isEqualTo(registration);
    }

    @Test
    void theCatalogIsCompiledAheadOnceAndTheTasksUseIt() {
        var asked = new AtomicInteger();
        ProductRegistration registration = registration("1.0.0", "record.amount > 0");

        contracts.compileAhead(() -> {
            asked.incrementAndGet();
            return List.of(new CompiledContracts.Catalogued(ADDRESS, registration));
        });
        contracts.compileAhead(() -> {
            asked.incrementAndGet();
            return List.of(new CompiledContracts.Catalogued(ADDRESS, registration));
        });
        assertThat(schemaLookups).as("compiled ahead").hasValue(1);
        CompiledContracts.Compiled compiled = contracts.of(ADDRESS, registration);

        assertThat(asked).as("only the first task's start gives the catalog").hasValue(1);
        assertThat(schemaLookups).as("compiled ahead, not again").hasValue(1);
        assertThat(versionLookups).hasValue(1);
        assertThat(compiled.rules()).isNotNull();
    }

    @Test
    void atMostTheLimitOfProductsIsCompiledAhead() {
        var products = new ArrayList<CompiledContracts.Catalogued>();
        for (int i = 0; i < CompiledContracts.AHEAD_LIMIT + 5; i++) {
            ProductAddress address = ProductAddress.parse("shop.product-" + i + ".v1");
            products.add(new CompiledContracts.Catalogued(address, registration(address, "1.0.0", "record.amount > 0")));
        }

        contracts.compileAhead(() -> products);

        assertThat(schemaLookups).hasValue(CompiledContracts.AHEAD_LIMIT);
    }

    @Test
    void aContractThatFailsToCompileAheadGivesItsFailureToTheTaskThatMeetsItsRecords() {
        ProductRegistration broken = registration("1.0.0", "record.nosuchfield > 0");

        contracts.compileAhead(() -> List.of(new CompiledContracts.Catalogued(ADDRESS, broken)));

        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class).hasMessageContaining("positive");
        assertThat(schemaLookups).as("compiled ahead only").hasValue(1);
    }

    @Test
    void anUnreachableRegistryEndsTheCompilationAheadAndTheTaskMeetsTheOutage() {
        var asked = new AtomicInteger();
        registry = () -> {
            asked.incrementAndGet();
            throw new SchemaRegistry.Unreachable("the schema registry does not answer", null);
        };
        ProductAddress other = ProductAddress.parse("shop.order-shipped.v1");

        contracts.compileAhead(() -> List.of(new CompiledContracts.Catalogued(ADDRESS, registration("1.0.0", "record.amount > 0")),
                new CompiledContracts.Catalogued(other, registration(other, "1.0.0", "record.amount > 0"))));

        assertThat(asked).as("the second product not asked for").hasValue(1);
        assertThatThrownBy(() -> contracts.of(ADDRESS, registration("1.0.0", "record.amount > 0")))
                .isInstanceOf(SchemaRegistry.Unreachable.class);
        registry = () -> { };
        assertThat(contracts.of(other, registration(other, "1.0.0", "record.amount > 0")).versions()).containsExactly(1L);
    }

    @Test
    void aRegistrysRefusalIsGivenAgainForASecondOnly() {
        registry = () -> {
            throw new MeshException("the schema registry refused: 403 Forbidden");
        };
        ProductRegistration registration = registration("1.0.0", "record.amount > 0");
        assertThatThrownBy(() -> contracts.of(ADDRESS, registration)).hasMessageContaining("403");
        registry = () -> { };
        assertThatThrownBy(() -> contracts.of(ADDRESS, registration)).as("within the second").hasMessageContaining("403");

        now.addAndGet(CompiledContracts.REFUSAL_KEPT.toMillis());

        assertThat(contracts.of(ADDRESS, registration).registration()).isEqualTo(registration);
    }

    @Test
    void aTaskThatNeedsAContractUnderCompilationAheadWaitsForItInsteadOfCompilingItToo() throws Exception {
        ProductRegistration registration = registration("1.0.0", "record.amount > 0");
        Held held = heldAhead(registration, () -> { });
        assertThat(held.task()).as("waits for the compilation under way").isNotDone();

        held.release().countDown();

        assertThat(held.task().get(10, TimeUnit.SECONDS).registration()).isEqualTo(registration);
        assertThat(schemaLookups).as("compiled once").hasValue(1);
    }

    @Test
    void aTaskWaitingForACompilationAheadThatFailsGetsItsFailureWithoutCompilingAgain() throws Exception {
        ProductRegistration broken = registration("1.0.0", "record.nosuchfield > 0");
        Held held = heldAhead(broken, () -> { });

        held.release().countDown();

        assertThatThrownBy(() -> held.task().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(MeshException.class)
                .hasMessageContaining("positive");
        assertThat(schemaLookups).as("compiled ahead only").hasValue(1);
    }

    @Test
    void anErrorOnTheThreadAheadLeavesNoTaskWaitingForGood() throws Exception {
        ProductRegistration registration = registration("1.0.0", "record.amount > 0");
        Held held = heldAhead(registration, () -> {
            throw new NoClassDefFoundError("a class the compilation needs");
        });

        held.release().countDown();

        assertThat(held.task().get(10, TimeUnit.SECONDS).registration()).as("compiled by the task itself").isEqualTo(registration);
    }

    /**
     * A compilation ahead of the registration whose first registry look-up waits until released,
     * and a task, on a thread of its own, that asks for the same contract meanwhile: returned once it
     * waits for the compilation (a future never completed would hold it {@link CompiledContracts#AHEAD_WAIT}).
     *
     * @param released what that look-up does once released (returns, or fails)
     */
    private Held heldAhead(ProductRegistration registration, Runnable released) throws InterruptedException {
        var compiling = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        var calls = new AtomicInteger();
        registry = () -> {
            if (calls.incrementAndGet() == 1) {
                compiling.countDown();
                await(release);
                released.run();
            }
        };
        var ahead = new CompiledContracts(schemas, background, now::get);
        ahead.compileAhead(() -> List.of(new CompiledContracts.Catalogued(ADDRESS, registration)));
        assertThat(compiling.await(10, TimeUnit.SECONDS)).as("the compilation ahead started").isTrue();
        var task = new CompletableFuture<CompiledContracts.Compiled>();
        var asking = new Thread(() -> {
            try {
                task.complete(ahead.of(ADDRESS, registration));
            } catch (RuntimeException e) {
                task.completeExceptionally(e);
            }
        });
        asking.setDaemon(true);
        asking.start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> asking.getState() == Thread.State.TIMED_WAITING);
        return new Held(release, task);
    }

    /**
     * @param release lets the held look-up go on
     * @param task the task's answer
     */
    private record Held(CountDownLatch release, CompletableFuture<CompiledContracts.Compiled> task) {
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ProductRegistration registration(String version, String rule) {
        return registration(ADDRESS, version, rule);
    }

    private static ProductRegistration registration(ProductAddress address, String version, String rule) {
        return ProductRegistration.newBuilder().setAddress(address.toString()).setDomain("shop").setName(address.product())
                .setVersion(version).setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:shop").setContact("c").build())
                .setSchemaSubject(address.valueSubject()).setSchemaVersion(1).setSchemaContentId(1L)
                .setQualityRules(List.of(new QualityRule("positive", rule)))
                .setPublishedAt(Instant.parse("2026-12-01T10:00:00Z")).build();
    }
}
