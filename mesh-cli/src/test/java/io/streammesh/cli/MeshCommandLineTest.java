package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeshCommandLineTest {

    @Test
    void aCommandLineBuildsOnlyTheSubcommandItRuns() {
        assertThat(Mesh.forArguments(new String[] {"catalog", "search", "orders"}).getSubcommands()).containsOnlyKeys("catalog");
    }

    @Test
    void aCommandLineBuildsOnlyTheMethodSubcommandItRuns() {
        assertThat(Mesh.forArguments(new String[] {"catalog", "search", "orders"}).getSubcommands().get("catalog").getSubcommands())
                .containsOnlyKeys("search");
        assertThat(Mesh.forArguments(new String[] {"access", "list", "--as", "analytics"}).getSubcommands().get("access").getSubcommands())
                .containsOnlyKeys("list");
    }

    @Test
    void helpAndATypoOfAMethodSubcommandSeeAllOfThem() {
        for (String[] args : new String[][] {{"catalog"}, {"catalog", "--help"}, {"catalog", "serch"}}) {
            assertThat(Mesh.forArguments(args).getSubcommands().get("catalog").getSubcommands())
                    .containsOnlyKeys("search", "show", "lineage", "rejections", "serve");
        }
        assertThat(Mesh.commandLine().getSubcommands().get("access").getSubcommands())
                .containsOnlyKeys("request", "list", "grants", "approve", "deny", "revoke", "withdraw");
    }

    @Test
    void helpAndAnUnknownCommandSeeEverySubcommand() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "catalog"}, {"catalogue"}}) {
            assertThat(Mesh.forArguments(args).getSubcommands())
                    .containsKeys("up", "status", "principal", "domain", "product", "produce", "consume", "catalog", "access", "audit", "help");
        }
    }
}
