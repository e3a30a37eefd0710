package io.streammesh.embedded;

import io.streammesh.client.KafkaCalls;
import io.streammesh.client.PlatformApp;
import io.streammesh.schema.MeshPrincipal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;

/**
 * What each tenant (every principal but the platform's own) may use of each broker, so that one
 * tenant flooding its topics cannot stall the others: Kafka's client quotas on the default user,
 * which the brokers enforce by throttling that principal alone. The platform's principals are
 * exempt: the gate, enforcer, catalog and audit apps carry every tenant's records.
 *
 * <p>The mesh sets the default user's quotas, and the platform principals' exemptions, once; an
 * operator's change (with Kafka's {@code kafka-configs.sh --entity-type users --entity-default},
 * or {@code --entity-name mesh-gate}) is kept at every later start.
 *
 * @param producerBytesPerSecond bytes a tenant may produce per second, per broker
 * @param consumerBytesPerSecond bytes a tenant may fetch per second, per broker
 * @param requestPercentage the share of one broker thread's time a tenant's requests may take
 *        (Kafka's {@code request_percentage}: 100 is one thread)
 */
public record TenantQuota(long producerBytesPerSecond, long consumerBytesPerSecond, int requestPercentage) {

    /** 64 MiB/s in, 128 MiB/s out, two broker threads' time: far above one team's steady load, far below a broker's. */
    public static final TenantQuota DEFAULT = new TenantQuota(64L << 20, 128L << 20, 200);

    static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    static final String REQUEST_PERCENTAGE = "request_percentage";

    private static final ClientQuotaEntity DEFAULT_USER = new ClientQuotaEntity(Collections.singletonMap(ClientQuotaEntity.USER, null));

    /** @throws IllegalArgumentException if a limit is not positive */
    public TenantQuota {
        if (producerBytesPerSecond <= 0 || consumerBytesPerSecond <= 0 || requestPercentage <= 0) {
            throw new IllegalArgumentException("tenant quotas must be positive, not " + producerBytesPerSecond + " B/s in, "
                    + consumerBytesPerSecond + " B/s out, " + requestPercentage + " % of a thread");
        }
    }

    /**
     * Sets this quota on the default user, and no quota on each of the platform's principals,
     * where they have no entry yet; idempotent. An entry an operator set or changed is kept.
     *
     * @param admin a platform admin client
     */
    void ensure(Admin admin) {
        List<ClientQuotaAlteration> alterations = new ArrayList<>();
        if (quotasOf(admin, DEFAULT_USER).isEmpty()) {
            alterations.add(new ClientQuotaAlteration(DEFAULT_USER, List.of(
                    new ClientQuotaAlteration.Op(PRODUCER_BYTE_RATE, (double) producerBytesPerSecond),
                    new ClientQuotaAlteration.Op(CONSUMER_BYTE_RATE, (double) consumerBytesPerSecond),
                    new ClientQuotaAlteration.Op(REQUEST_PERCENTAGE, (double) requestPercentage))));
        }
        // Kafka's own "no quota": a principal's entry outranks the default user's.
        Stream.concat(Stream.of(MeshPrincipal.ADMIN), Stream.of(PlatformApp.values()).map(PlatformApp::principal))
                .map(platform -> new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, platform.name())))
                .filter(platform -> quotasOf(admin, platform).isEmpty())
                .forEach(platform -> alterations.add(new ClientQuotaAlteration(platform, List.of(
                        new ClientQuotaAlteration.Op(PRODUCER_BYTE_RATE, (double) Long.MAX_VALUE),
                        new ClientQuotaAlteration.Op(CONSUMER_BYTE_RATE, (double) Long.MAX_VALUE),
                        new ClientQuotaAlteration.Op(REQUEST_PERCENTAGE, (double) Integer.MAX_VALUE)))));
        if (!alterations.isEmpty()) {
            KafkaCalls.await(admin.alterClientQuotas(alterations).all(), "set the tenants' quotas");
        }
    }

    /**
     * @param admin an admin client allowed to describe the cluster
     * @param entity a quota entity, matched exactly
     * @return its quotas, by Kafka's name, empty if it has none
     */
    static Map<String, Double> quotasOf(Admin admin, ClientQuotaEntity entity) {
        var component = entity.entries().get(ClientQuotaEntity.USER) == null
                ? ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.USER)
                : ClientQuotaFilterComponent.ofEntity(ClientQuotaEntity.USER, entity.entries().get(ClientQuotaEntity.USER));
        Map<ClientQuotaEntity, Map<String, Double>> described = KafkaCalls.await(
                admin.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(component))).entities(), "describe the quotas of " + entity);
        return described.getOrDefault(entity, Map.of());
    }
}
