package io.streammesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MeshCommandLineTest {

    @Test
    void aCommandLineBuildsOnlyTheSubcommandItRuns() {
        assertThat(Mesh.forArguments(new String[] {"catalog", "search", "orders"}).getSubcommands()).containsOnlyKeys("catalog");
    }

    @Test
    void helpAndAnUnknownCommandSeeEverySubcommand() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "catalog"}, {"catalogue"}}) {
            assertThat(Mesh.forArguments(args).getSubcommands())
                    .containsKeys("up", "status", "principal", "domain", "product", "produce", "consume", "catalog", "access", "audit", "help");
        }
    }
}
