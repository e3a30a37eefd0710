package io.streammesh.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the domains' key-encryption keys (KEKs) are, as an app's client config says: by default
 * the local keysets of {@link LocalKms} in the state directory (the embedded mesh's), or a KMS the
 * config names with {@value #KEK_URI}, a KEK URI in which {@code {domain}} stands for the domain
 * (the platform's own KEK is domain {@value SubjectKeys#PLATFORM}'s), for instance
 * {@code aws-kms://arn:aws:kms:eu-west-1:111122223333:alias/mesh-{domain}}. A domain may have a URI
 * of its own, {@code mesh.kms.kek.uri.<domain>}.
 *
 * <p>The KMS client is the one Tink {@link KmsClient} on the class path (found by Java's
 * {@link ServiceLoader}, as Tink's {@code tink-awskms} and {@code tink-gcpkms} register theirs)
 * that supports the URIs (two are refused: which one got every data key would depend on the class
 * path's order), with the credentials file {@value #CREDENTIALS} names or the platform's default
 * credentials. A configured KMS keeps its keys' versions itself: data keys are wrapped under
 * version 0 (a local keyset's versions are never 0), and a KEK is rotated in the KMS, whose old
 * versions keep unwrapping. A KMS that fails is never taken to mean that a data key is broken
 * ({@link SubjectKeys}): a remote KMS fails the same way when it is out of reach.
 */
public final class KekSource {

    private static final Logger LOG = LoggerFactory.getLogger(KekSource.class);

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
        Map<String, String> settings = config.kmsSettings();
        String template = settings.get(KEK_URI);
        if (template == null) {
            if (!settings.isEmpty()) {
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
        KmsClient supporting = supporting(platform, clients);
        settings.forEach((key, uri) -> {
            if (key.startsWith(KEK_URI + ".")) {
                checkOverride(key, uri, supporting);
            }
        });
        String credentials = settings.get(CREDENTIALS);
        KmsClient client;
        try {
            client = credentials == null ? supporting.withDefaultCredentials() : supporting.withCredentials(credentials);
        } catch (GeneralSecurityException e) {
            throw new MeshException("the KMS client for " + platform + " does not take its credentials"
                    + (credentials == null ? "" : " from " + credentials + " (" + CREDENTIALS + ")") + ": " + e.getMessage(), e);
        }
        LOG.info("Key-encryption keys: {} (KMS client {})", template, client.getClass().getName());
        return new KekSource(new KeptAeads(client), settings, null);
    }

    private static void checkOverride(String key, String uri, KmsClient client) {
        String domain = key.substring(KEK_URI.length() + 1);
        try {
            ProductAddress.checkName("domain", domain);
        } catch (IllegalArgumentException e) {
            throw new MeshException(key + " does not name a domain: " + e.getMessage(), e);
        }
        if (uri.contains(DOMAIN) || !client.doesSupport(uri)) {
            throw new MeshException(key + " must be a KEK URI of the KMS " + KEK_URI + " names, without " + DOMAIN + ": " + uri);
        }
    }

    /** The one client that supports the URI: with two, which one wraps every data key would depend on the class path's order. */
    private static KmsClient supporting(String uri, Iterable<KmsClient> clients) {
        String scheme = uri.contains("://") ? uri.substring(0, uri.indexOf("://") + 3) : uri;
        List<KmsClient> supporting = new ArrayList<>();
        try {
            for (KmsClient client : clients) {
                if (client.doesSupport(uri)) {
                    supporting.add(client);
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new MeshException("a KMS client on the class path does not load: " + e.getMessage(), e);
        }
        if (supporting.size() > 1) {
            throw new MeshException("more than one KMS client on the class path supports " + scheme + " (" + KEK_URI + "): "
                    + supporting.stream().map(client -> client.getClass().getName()).sorted().toList() + "; keep one");
        }
        if (supporting.isEmpty()) {
            throw new MeshException("no KMS client on the class path supports " + scheme + " (" + KEK_URI + "): add one to the apps' "
                    + "class path, such as Tink's tink-awskms (aws-kms://) or tink-gcpkms (gcp-kms://)");
        }
        return supporting.get(0);
    }

    /**
     * A KMS client whose KEKs are asked of it once each and kept: a key holder asks for its KEK at
     * every wrap and unwrap, and a cloud client makes a client of its SDK for each (Tink's AWS
     * one does), where the AEAD it gives is thread-safe and may be kept.
     */
    private static final class KeptAeads implements KmsClient {
        private final KmsClient kms;
        private final Map<String, Aead> kept = new ConcurrentHashMap<>();

        KeptAeads(KmsClient kms) {
            this.kms = kms;
        }

        @Override
        public boolean doesSupport(String keyUri) {
            return kms.doesSupport(keyUri);
        }

        @Override
        public KmsClient withCredentials(String credentialPath) {
            throw new UnsupportedOperationException("the credentials were given when the client was chosen");
        }

        @Override
        public KmsClient withDefaultCredentials() {
            throw new UnsupportedOperationException("the credentials were given when the client was chosen");
        }

        @Override
        public Aead getAead(String keyUri) throws GeneralSecurityException {
            Aead held = kept.get(keyUri);
            if (held == null) {
                held = kms.getAead(keyUri);
                Aead raced = kept.putIfAbsent(keyUri, held);
                held = raced != null ? raced : held;
            }
            return held;
        }

        @Override
        public String toString() {
            return kms.getClass().getName();
        }
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
