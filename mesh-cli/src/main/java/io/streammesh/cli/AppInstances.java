package io.streammesh.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.audit.AuditApp;
import io.streammesh.audit.AuditConfig;
import io.streammesh.catalog.CatalogApp;
import io.streammesh.catalog.CatalogConfig;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.client.PlatformApp;
import io.streammesh.connector.GateApp;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.embedded.StartedParts;
import io.streammesh.embedded.StateDirectory;
import io.streammesh.enforcer.GrantEnforcer;
import io.streammesh.enforcer.ViewApp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The further instances of each platform app {@code mesh up --instances N} runs beside the first:
 * the same application ids, so Kafka Streams shares the partitions between them, each with a
 * state directory of its own ({@code apps/<app>-<n>}). Catalog instances answer REST for any key
 * (each routes a key's query to the instance holding it); gate, enforcer and catalog instances
 * share the domains' key-encryption keys (to encrypt, to decrypt for views, to serve grantees);
 * enforcer instances share the view secret.
 */
final class AppInstances {

    private AppInstances() {
    }

    /**
     * Starts instances 2 to {@code instances} of catalog, audit, enforcer (grants and views) and gate.
     *
     * @param instances how many of each app run in all
     * @param mesh the running mesh
     * @param directory its state directory
     * @param running where each started part is added, to be stopped with the mesh
     * @return the REST URLs of the further catalog instances
     */
    static List<String> start(int instances, EmbeddedMesh mesh, StateDirectory directory, StartedParts running) {
        Path apps = directory.root().resolve("apps");
        List<String> catalogUrls = new ArrayList<>();
        for (int n = 2; n <= instances; n++) {
            String suffix = "-" + n;
            CatalogApp catalog = running.add(CatalogApp.start(CatalogConfig.embedded(mesh.clientConfig(PlatformApp.CATALOG.applicationId()),
                    apps.resolve(PlatformApp.CATALOG.applicationId() + suffix), directory.credentials(), 0), directory.keks()));
            catalogUrls.add(catalog.restUrl());
            running.add(AuditApp.start(AuditConfig.embedded(mesh.clientConfig(PlatformApp.AUDIT.applicationId()),
                    apps.resolve(PlatformApp.AUDIT.applicationId() + suffix))));
            MeshClientConfig enforcer = mesh.clientConfig(PlatformApp.ENFORCER.applicationId());
            running.add(GrantEnforcer.start(enforcer));
            running.add(ViewApp.start(enforcer, apps.resolve(PlatformApp.ENFORCER.applicationId() + suffix), ViewSecret.of(directory),
                    new SimpleMeterRegistry(), directory.keks()));
            running.add(GateApp.start(mesh.clientConfig(PlatformApp.GATE.applicationId()), apps.resolve(PlatformApp.GATE.applicationId() + suffix),
                    GateApp.CLEANUP_EVERY, 0, directory.keks()));
        }
        return catalogUrls;
    }
}
