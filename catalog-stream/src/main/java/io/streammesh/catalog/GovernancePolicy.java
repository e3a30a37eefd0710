package io.streammesh.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streammesh.schema.MeshException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The global rules every registration must pass, owned by the platform team
 * (default: {@code governance.yaml} on the classpath).
 *
 * @param ownerPresent owner team and contact required (an owner principal other than
 *        {@code User:<domain>} is refused whatever this says)
 * @param descriptionMinLength shortest acceptable description; 0 switches the rule off
 * @param classificationDeclared one of public, internal, confidential, restricted required
 * @param piiMasked PII fields masked in every {@code auto} view and every view of a public or internal product
 * @param sloDeclared a freshness SLO required
 * @param lineageInputsExist every lineage input must be in the catalog
 * @param piiEncrypted PII fields of confidential and restricted products encrypted by the gate
 *        (the contract's {@code encryption.fields}), so no cleartext of them is kept on the brokers' disks
 * @param domainMaxProducts the most products a domain holds in the catalog, retired ones included
 *        (their topics stay; rule {@code domain-quota}); null for {@value #DEFAULT_DOMAIN_MAX_PRODUCTS}
 * @param domainMaxPartitions the most partitions its products' registrations ask for together
 *        (each product has three topics of that many); null for {@value #DEFAULT_DOMAIN_MAX_PARTITIONS}
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record GovernancePolicy(boolean ownerPresent, int descriptionMinLength, boolean classificationDeclared,
                               boolean piiMasked, boolean sloDeclared, boolean lineageInputsExist,
                               boolean piiEncrypted, Integer domainMaxProducts, Integer domainMaxPartitions) {

    /**
     * Ten times the products a scale-benchmark domain holds (20 of one partition): the platform
     * creates three topics for each, and the gate, the views and product health read every
     * domain's at once, so one domain's share of them is bounded.
     */
    public static final int DEFAULT_DOMAIN_MAX_PRODUCTS = 200;
    /** 6,000 partitions of topics a domain. */
    public static final int DEFAULT_DOMAIN_MAX_PARTITIONS = 2_000;

    /** Fills in the domain quotas a policy file leaves out; @throws IllegalArgumentException if one is not positive */
    public GovernancePolicy {
        domainMaxProducts = domainMaxProducts == null ? DEFAULT_DOMAIN_MAX_PRODUCTS : domainMaxProducts;
        domainMaxPartitions = domainMaxPartitions == null ? DEFAULT_DOMAIN_MAX_PARTITIONS : domainMaxPartitions;
        if (domainMaxProducts < 1 || domainMaxPartitions < 1) {
            throw new IllegalArgumentException("domain-max-products and domain-max-partitions must be positive, not "
                    + domainMaxProducts + " and " + domainMaxPartitions);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** @return the policy shipped with the mesh */
    public static GovernancePolicy defaults() {
        try (InputStream in = GovernancePolicy.class.getResourceAsStream("/governance.yaml")) {
            return YAML.readValue(in, GovernancePolicy.class);
        } catch (IOException e) {
            throw new MeshException("cannot read the built-in governance.yaml: " + e.getMessage(), e);
        }
    }

    /**
     * @param file a policy YAML file
     * @return its policy
     * @throws MeshException naming the file and the problem
     */
    public static GovernancePolicy load(Path file) {
        try {
            return YAML.readValue(Files.readString(file), GovernancePolicy.class);
        } catch (IOException e) {
            throw new MeshException("governance policy " + file + " is not valid: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
