package io.streammesh.keys;

import com.google.crypto.tink.KmsClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Where the domains' key-encryption keys (KEKs) are, as an app's client config says: by default
 * the local keysets of {@link LocalKms} in the state directory (the embedded mesh's), or a KMS the
 * config names with {@value #KEK_URI}, a KEK URI in which {@code {domain}} stands for the domain
 * (the platform's own KEK is domain {@value SubjectKeys#PLATFORM}'s), for instance
 * {@code aws-kms://arn:aws:kms:eu-west-1:111122223333:alias/mesh-{domain}}. A domain may have a URI
 * of its own, {@code mesh.kms.kek.uri.<domain>}.
 *
 * <p>The KMS client is the first Tink {@link KmsClient} on the class path (found by Java's
 * {@link ServiceLoader}, as Tink's {@code tink-awskms} and {@code tink-gcpkms} register theirs)
 * that supports the URIs, with the credentials file {@value #CREDENTIALS} names or the
 * platform's default credentials. A configured KMS keeps its keys' versions itself: data keys are
 * wrapped under version 0 and a KEK is rotated in the KMS, whose old versions keep unwrapping.
 */
public final class KekSource {

    /** The client config key of the KEK URI template. */
    public static final String KEK_URI = "mesh.kms.kek.uri";
    /** The client config key of the KMS client's credentials file (its default credentials if absent). */
    public static final String CREDENTIALS = "mesh.kms.credentials";
    /** What every KMS key of a client config starts with: the mesh's, never a Kafka client's. */
    public static final String PREFIX = "mesh.kms.";
    private static final String DOMAIN = "{domain}";

    private final KmsClient kms;
    private final Map<String, String> settings;
    private final LocalKms local;

    private KekSource(KmsClient kms, Map<String, String> settings, LocalKms local) {
        this.kms = kms;
        this.settings = settings;
        this.local = local;
    }

    /**
     * @param config an app's client config
     * @param kekDir where local KEKs are kept, if the config names no KMS
     * @return the config's KEKs
     * @throws MeshException naming the key and why, if the config's KMS settings are unusable
     */
    public static KekSource of(MeshClientConfig config, Path kekDir) {
        return of(config, kekDir, ServiceLoader.load(KmsClient.class));
    }

    /**
     * @param config an app's client config
     * @param kekDir where local KEKs are kept, if the config names no KMS
     * @param clients the KMS clients to choose from
     * @return the config's KEKs
     */
    static KekSource of(MeshClientConfig config, Path kekDir, Iterable<KmsClient> clients) {
        Map<String, String> settings = config.extra();
        String template = settings.get(KEK_URI);
        if (template == null) {
            boolean configured = settings.keySet().stream().anyMatch(key -> key.startsWith(PREFIX));
            if (configured) {
                throw new MeshException("the client config has KMS settings but no " + KEK_URI + " (a KEK URI with " + DOMAIN + " for the domain)");
            }
            var kms = new LocalKms(kekDir);
            return new KekSource(kms, settings, kms);
        }
        if (!template.contains(DOMAIN)) {
            throw new MeshException(KEK_URI + " must contain " + DOMAIN + ", so that each domain has a KEK of its own: " + template);
        }
        if (template.startsWith(LocalKms.SCHEME)) {
            throw new MeshException(KEK_URI + " names the local keysets (" + LocalKms.SCHEME + "), the default: remove it to use them");
        }
        String platform = template.replace(DOMAIN, SubjectKeys.PLATFORM);
        KmsClient client = supporting(platform, clients);
        String credentials = settings.get(CREDENTIALS);
        try {
            client = credentials == null ? client.withDefaultCredentials() : client.withCredentials(credentials);
        } catch (GeneralSecurityException e) {
            throw new MeshException("the KMS client for " + platform + " does not take its credentials"
                    + (credentials == null ? "" : " from " + credentials + " (" + CREDENTIALS + ")") + ": " + e.getMessage(), e);
        }
        return new KekSource(client, settings, null);
    }

    private static KmsClient supporting(String uri, Iterable<KmsClient> clients) {
        String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://") + 3) : uri;
        try {
            for (Iterator<KmsClient> found = clients.iterator(); found.hasNext();) {
                KmsClient client = found.next();
                if (client.doesSupport(uri)) {
                    return client;
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new MeshException("a KMS client on the class path does not load: " + e.getMessage(), e);
        }
        throw new MeshException("no KMS client on the class path supports " + scheme + " (" + KEK_URI + "): add one to the apps' class "
                + "path, such as Tink's tink-awskms (aws-kms://) or tink-gcpkms (gcp-kms://)");
    }

    /** @return the KMS that holds the KEKs */
    public KmsClient kms() {
        return kms;
    }

    /**
     * @param domain a domain, or {@value SubjectKeys#PLATFORM}
     * @return the URI of its KEK
     */
    public String uri(String domain) {
        ProductAddress.checkName("domain", domain);
        if (local != null) {
            return LocalKms.uri(domain);
        }
        return settings.getOrDefault(KEK_URI + "." + domain, settings.get(KEK_URI).replace(DOMAIN, domain));
    }

    /**
     * @param domain a domain
     * @return the version of its KEK that wraps new data keys: 0 where the KMS keeps versions itself
     */
    public int version(String domain) {
        return local != null ? local.version(domain) : 0;
    }

    /** @return the local keysets, if the KEKs are those */
    public Optional<LocalKms> local() {
        return Optional.ofNullable(local);
    }
}
