package io.streammesh.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streammesh.schema.ProductAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StoredGrantCheckTest {

    private static final ProductAddress PRODUCT = ProductAddress.parse("orders.order-placed.v1");
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private final StoredGrantCheck check = new StoredGrantCheck();
    private final List<ObjectNode> stored = new ArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final Supplier<List<ObjectNode>> grants = () -> {
        reads.incrementAndGet();
        return List.copyOf(stored);
    };

    /** Each read of the stores decodes every grant of every instance: a principal refused again and again costs one a second. */
    @Test
    void aRefusalTheStoresConfirmedAnswersThePrincipalsNextRefusalsForASecondWithoutReadingThemAgain() {
        assertThat(check.allows("User:mallory", PRODUCT, grants, NOW)).isFalse();
        for (int fetch = 0; fetch < 100; fetch++) {
            assertThat(check.allows("User:mallory", PRODUCT, grants, NOW.plusMillis(fetch * 5L))).isFalse();
        }
        assertThat(reads).hasValue(1);

        assertThat(check.allows("User:analytics", PRODUCT, grants, NOW)).as("another principal's own refusal").isFalse();
        assertThat(reads).hasValue(2);
        stored.add(decryptGrant("User:mallory"));
        assertThat(check.allows("User:mallory", PRODUCT, grants, NOW.plus(StoredGrantCheck.REFUSAL_KEPT))).as("read again").isTrue();
        assertThat(reads).hasValue(3);
    }

    /** A refusal of one product does not hold a grant of another approved a moment ago; asking of many products is bounded too. */
    @Test
    void aRefusalIsKeptPerProductAndAPrincipalAskingOfManyProductsHasTheStoresReadTenTimesASecondAtMost() {
        assertThat(check.allows("User:analytics", ProductAddress.parse("orders.other.v1"), grants, NOW)).isFalse();
        stored.add(decryptGrant("User:analytics"));
        assertThat(check.allows("User:analytics", PRODUCT, grants, NOW.plusMillis(10))).as("another product, just granted").isTrue();

        for (int product = 0; product < 20; product++) {
            check.allows("User:mallory", ProductAddress.parse("orders.p-" + product + ".v1"), grants, NOW);
        }
        assertThat(reads).hasValue(2 + StoredGrantCheck.READS_PER_PRINCIPAL);
    }

    @Test
    void onlyAnActiveUnexpiredDecryptGrantOfThePrincipalOnTheProductAllows() {
        stored.add(decryptGrant("User:analytics").put("status", "REVOKED"));
        stored.add(decryptGrant("User:analytics").put("decrypt", false));
        stored.add(decryptGrant("User:analytics").put("product", "orders.other.v1"));
        stored.add(decryptGrant("User:analytics").put("expiresAt", NOW.toString()));
        stored.add(decryptGrant("User:fraud"));

        assertThat(check.allows("User:analytics", PRODUCT, grants, NOW)).isFalse();
        stored.add(decryptGrant("User:analytics").put("expiresAt", NOW.plusSeconds(60).toString()));
        assertThat(check.allows("User:analytics", PRODUCT, grants, NOW.plus(StoredGrantCheck.REFUSAL_KEPT))).isTrue();
    }

    private static ObjectNode decryptGrant(String principal) {
        return JsonNodeFactory.instance.objectNode().put("principal", principal).put("product", PRODUCT.toString())
                .put("status", "ACTIVE").put("decrypt", true);
    }
}
