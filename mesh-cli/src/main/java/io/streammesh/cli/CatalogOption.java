package io.streammesh.cli;

import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.embedded.MeshStatus;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.client.MeshClientConfig;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where the catalog REST API is: {@code --catalog-url}, else the one the running mesh wrote in its
 * state directory; and how its answer is printed ({@link OutputOption}).
 */
final class CatalogOption {

    @Option(names = "--catalog-url", paramLabel = "URL", description = "The catalog API's base URL (default: the running mesh's).")
    String url;

    @Mixin
    OutputOption output = new OutputOption();

    /** @return the output format asked for */
    OutputFormat format() {
        return output.format();
    }

    /**
     * @param commandLine the command printing one item rather than rows
     * @return the output format asked for
     * @throws ParameterException if it is csv, which takes rows
     */
    OutputFormat formatOfOneItem(CommandLine commandLine) {
        return output.formatOfOneItem(commandLine);
    }

    CatalogClient client(StateDirOption state, MeshClientConfig clientConfig) {
        return client(url, state, clientConfig);
    }

    /**
     * @param url {@code --catalog-url}, or null for the running mesh's
     * @param state the state directory
     * @param clientConfig the acting principal's client config
     * @return the catalog API as that principal
     */
    static CatalogClient client(String url, StateDirOption state, MeshClientConfig clientConfig) {
        String base = url;
        if (base == null) {
            base = RunningMesh.find(state.directory()).catalogUrl();
            if (base == null) {
                throw new MeshException("the mesh on " + state.directory().root() + " runs no catalog; give --catalog-url");
            }
        }
        return new CatalogClient(base, clientConfig);
    }

    /**
     * @return the catalog API if one is known ({@code --catalog-url}, or the running mesh's), else empty:
     *         for a command whose write stands without the catalog (it only waits for its verdict there)
     */
    Optional<CatalogClient> known(StateDirOption state, MeshClientConfig clientConfig) {
        StateDirectory directory = state.directory();
        String base = url != null ? url : directory.isLocked() ? directory.readStatus().map(MeshStatus::catalogUrl).orElse(null) : null;
        return Optional.ofNullable(base).map(b -> new CatalogClient(b, clientConfig));
    }
}
