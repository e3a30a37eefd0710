package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.MeshException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GovernancePolicyTest {

    private static final String RULES = """
            owner-present: true
            description-min-length: 10
            classification-declared: true
            pii-masked: true
            slo-declared: true
            lineage-inputs-exist: true
            pii-encrypted: true
            """;

    @TempDir
    Path dir;

    @Test
    void theBuiltInPolicyBoundsEachDomainsProductsAndPartitions() {
        GovernancePolicy policy = GovernancePolicy.defaults();

        assertThat(policy.domainMaxProducts()).isEqualTo(200);
        assertThat(policy.domainMaxPartitions()).isEqualTo(2_000);
    }

    @Test
    void aPolicyFileWrittenBeforeTheDomainQuotasGetsTheDefaultsAndOneMayRaiseThem() throws Exception {
        assertThat(GovernancePolicy.load(Files.writeString(dir.resolve("old.yaml"), RULES)))
                .extracting(GovernancePolicy::domainMaxProducts, GovernancePolicy::domainMaxPartitions).containsExactly(200, 2_000);
        assertThat(GovernancePolicy.load(Files.writeString(dir.resolve("raised.yaml"), RULES + "domain-max-products: 1000\n")))
                .extracting(GovernancePolicy::domainMaxProducts, GovernancePolicy::domainMaxPartitions).containsExactly(1_000, 2_000);
    }

    @Test
    void aQuotaOfNothingIsRefusedNamingTheKeys() throws Exception {
        Path zero = Files.writeString(dir.resolve("zero.yaml"), RULES + "domain-max-partitions: 0\n");

        assertThatThrownBy(() -> GovernancePolicy.load(zero)).isInstanceOf(MeshException.class)
                .hasMessageStartingWith("governance policy " + zero + " is not valid: ")
                .hasMessageContaining("domain-max-products and domain-max-partitions must be positive, not 200 and 0");
    }
}
