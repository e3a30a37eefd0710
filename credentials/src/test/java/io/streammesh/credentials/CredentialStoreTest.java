package io.streammesh.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.streammesh.schema.MeshPrincipal;
import io.streammesh.schema.PrincipalKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {

    @TempDir
    Path dir;

    @Test
    void authenticatesOnlyTheRightPasswordOfAKnownPrincipal() {
        var store = CredentialStore.at(dir.resolve("credentials"));
        store.put(new MeshPrincipal("orders", PrincipalKind.DOMAIN), "secret-1");

        assertThat(store.authenticate("orders", "secret-1")).isTrue();
        assertThat(store.authenticate("orders", "secret-1")).as("memoised").isTrue();
        assertThat(store.authenticate("orders", "secret-2")).isFalse();
        assertThat(store.authenticate("nobody", "secret-1")).isFalse();
        assertThat(store.authenticate(null, null)).isFalse();
    }

    @Test
    void seesAPrincipalAddedThroughAnotherInstanceAtOnce() {
        var reader = CredentialStore.at(dir.resolve("credentials"));
        assertThat(reader.authenticate("late", "pw")).isFalse();

        CredentialStore.at(dir.resolve("credentials")).put(new MeshPrincipal("late", PrincipalKind.TEAM), "pw");

        assertThat(reader.authenticate("late", "pw")).isTrue();
        assertThat(reader.find("late")).contains(new MeshPrincipal("late", PrincipalKind.TEAM));
    }

    @Test
    void aChangedPasswordReplacesTheOldOneEvenAfterASuccessfulCheck() {
        var store = CredentialStore.at(dir.resolve("credentials"));
        var principal = new MeshPrincipal("rotated", PrincipalKind.TEAM);
        store.put(principal, "old-password");
        assertThat(store.authenticate("rotated", "old-password")).isTrue();

        store.put(principal, "new-password");

        assertThat(store.authenticate("rotated", "old-password")).isFalse();
        assertThat(store.authenticate("rotated", "new-password")).isTrue();
    }

    @Test
    void keepsOnlySaltedHashesInAFileOnlyItsOwnerCanRead() throws Exception {
        var store = CredentialStore.at(dir.resolve("credentials"));
        store.put(new MeshPrincipal("orders", PrincipalKind.DOMAIN), "plain-text-secret");

        String content = Files.readString(store.file());
        assertThat(content).contains("orders DOMAIN 50000:").doesNotContain("plain-text-secret");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file()))).isEqualTo("rw-------");
    }

    @Test
    void aStoreFromBeforeAuditorsReadsAsBeforeAndTakesAnAuditorBesideItsPrincipals() throws Exception {
        var old = CredentialStore.at(dir.resolve("old"));
        old.put(new MeshPrincipal("orders", PrincipalKind.DOMAIN), "orders-secret");
        old.put(new MeshPrincipal("analytics", PrincipalKind.TEAM), "team-secret");
        String before = Files.readString(old.file());

        old.put(new MeshPrincipal("inspector", PrincipalKind.AUDITOR), "auditor-secret");

        assertThat(Files.readString(old.file())).as("the older lines are kept as they were")
                .contains(before.lines().filter(line -> !line.startsWith("#")).toList());
        var reread = CredentialStore.at(dir.resolve("old"));
        assertThat(reread.principals()).containsExactly(new MeshPrincipal("analytics", PrincipalKind.TEAM),
                new MeshPrincipal("inspector", PrincipalKind.AUDITOR), new MeshPrincipal("orders", PrincipalKind.DOMAIN));
        assertThat(reread.authenticate("inspector", "auditor-secret")).isTrue();
        assertThat(reread.authenticate("orders", "orders-secret")).isTrue();
    }
}
