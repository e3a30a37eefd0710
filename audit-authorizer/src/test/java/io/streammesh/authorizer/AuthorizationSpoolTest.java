package io.streammesh.authorizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.AuthorizationEvent;
import io.streammesh.schema.Decision;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizationSpoolTest {

    @TempDir
    Path dir;

    @Test
    void filesShipOldestFirstAndWhatRemainsOfOneKeepsItsPlace() {
        var spool = new AuthorizationSpool(dir);
        spool.write(List.of(event("User:a", 1), event("User:b", 2), event("User:c", 3)));
        spool.write(List.of(event("User:d", 4)));
        Path oldest = spool.files().get(0);

        spool.replace(oldest, List.of(event("User:b", 2), event("User:c", 3)));

        assertThat(spool.files()).hasSize(2).first().isEqualTo(oldest);
        assertThat(spool.files().stream().flatMap(file -> spool.read(file).stream()).map(AuthorizationEvent::getPrincipal))
                .containsExactly("User:b", "User:c", "User:d");
        spool.replace(oldest, List.of());
        assertThat(spool.files()).hasSize(1).allSatisfy(file -> assertThat(spool.read(file)).extracting(AuthorizationEvent::getPrincipal)
                .containsExactly("User:d"));
    }

    private static AuthorizationEvent event(String principal, long count) {
        return AuthorizationEvent.newBuilder().setWindowStart(Instant.parse("2026-11-25T10:00:00Z")).setPrincipal(principal)
                .setOperation("READ").setResourceType("TOPIC").setResourceName("orders.order-placed.v1").setDecision(Decision.DENIED)
                .setCount(count).setBrokerId(1).build();
    }
}
