package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.Owner;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import io.streammesh.schema.QualityRule;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The gate's tasks share each product's compiled contract: one registry look-up and one compilation per registration. */
class CompiledContractsTest {

    private static final ProductAddress ADDRESS = ProductAddress.parse("shop.order-placed.v1");
    private static final Schema ORDER = new Schema.Parser().parse(TestContracts.ORDER_SCHEMA);

    private final AtomicInteger versionLookups = new AtomicInteger();
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger schemaLookups = new AtomicInteger();
    private final CompiledContracts contracts = new CompiledContracts(new ProductSchemas() {
        @Override
        public Schema schema(long contentId) {
            schemaLookups.incrementAndGet();
            return ORDER;
        }

        @Override
        public Set<Long> versions(String subject) {
            versionLookups.incrementAndGet();
            return versionLookups.get() == 1 ? Set.of(1L) : Set.of(1L, 2L);
        }
    }, now::get);

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
    void aRuleThatDoesNotCompileIsRefusedEachTimeAndNotKept() {
        ProductRegistration broken = registration("1.0.0", "record.nosuchfield > 0");

        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> contracts.of(ADDRESS, broken)).isInstanceOf(MeshException.class);
    }

    private static ProductRegistration registration(String version, String rule) {
        return ProductRegistration.newBuilder().setAddress(ADDRESS.toString()).setDomain("shop").setName("order-placed")
                .setVersion(version).setOwner(Owner.newBuilder().setTeam("t").setPrincipal("User:shop").setContact("c").build())
                .setSchemaSubject(ADDRESS.valueSubject()).setSchemaVersion(1).setSchemaContentId(1L)
                .setQualityRules(List.of(new QualityRule("positive", rule)))
                .setPublishedAt(Instant.parse("2026-12-01T10:00:00Z")).build();
    }
}
