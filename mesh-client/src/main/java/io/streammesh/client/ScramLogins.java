package io.streammesh.client;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.CallbackHandler;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslClientFactory;
import javax.security.sasl.SaslException;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramSaslClient;

/**
 * SCRAM logins that derive the salted password once per process. Each Kafka connection logs in
 * anew, and each login derives the salted password with thousands of HMAC-SHA-512 rounds (8,192
 * in the mesh): a short command's clients (an Admin and a producer, each to the bootstrap address
 * and to the broker) spent four derivations on the same password, salt and count, most of the
 * CPU the command's Java code used. The derivation is a pure function of the three, so a process
 * may keep its result beside the password it already holds; nothing else about the login changes,
 * and Kafka's own SCRAM client still speaks the protocol. The server still checks each login's
 * proof, so a wrong password derives its own entry and is refused as before.
 *
 * <p>What is kept is credential material (a salted password suffices to log in under SCRAM), in
 * the memory of the process that holds the password itself; it is looked up by an HMAC of the
 * password under a key made at random for the process, so a heap dump gives no fast way to test
 * guesses. At most {@value #MAX_ENTRIES} are kept; a full cache starts again empty.
 *
 * <p>Kafka gives its client no formatter to use, so {@link #install()} registers a SASL client
 * factory ahead of Kafka's that hands each new {@link ScramSaslClient} a caching formatter
 * (reflection on its {@code formatter} field). Where that field is not there or the formatter
 * cannot be made (another Kafka), nothing is installed and logins derive as Kafka does.
 */
public final class ScramLogins {

    private static final int MAX_ENTRIES = 16;
    private static final Map<Derivation, byte[]> SALTED = new ConcurrentHashMap<>();
    private static final Field FORMATTER = formatterField();
    private static final AtomicInteger DERIVED = new AtomicInteger();
    private static final SecretKeySpec KEY = randomKey();

    private ScramLogins() {
    }

    /**
     * Makes every later SCRAM login of this process reuse a salted password derived before;
     * idempotent. For processes that open several Kafka clients of the same principals (the CLI,
     * and {@code mesh up}, whose apps each log in to every broker).
     */
    public static synchronized void install() {
        if (FORMATTER != null && Security.getProvider(CachingProvider.NAME) == null) {
            Security.insertProviderAt(new CachingProvider(), 1);
        }
    }

    /** @return whether logins reuse derived salted passwords (false on a Kafka whose SCRAM client this cannot reach) */
    public static boolean installed() {
        return Security.getProvider(CachingProvider.NAME) != null;
    }

    /** @return how many salted passwords this process derived so far (logins that found one known do not count) */
    static int derivations() {
        return DERIVED.get();
    }

    /** Kafka's field, or null where it is not there or a caching formatter cannot be made (another Kafka): nothing is installed then. */
    private static Field formatterField() {
        try {
            Field field = ScramSaslClient.class.getDeclaredField("formatter");
            field.setAccessible(true);
            new CachingFormatter(ScramMechanism.SCRAM_SHA_512);
            return field.getType() == ScramFormatter.class ? field : null;
        } catch (ReflectiveOperationException | GeneralSecurityException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** What a derivation depends on; the password only as an HMAC under the process's own random key. */
    private record Derivation(ScramMechanism mechanism, ByteBuffer passwordMac, ByteBuffer salt, int iterations) {
    }

    private static SecretKeySpec randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new SecretKeySpec(key, "HmacSHA256");
    }

    private static byte[] passwordMac(byte[] password) throws NoSuchAlgorithmException, InvalidKeyException {
        Mac mac = Mac.getInstance(KEY.getAlgorithm());
        mac.init(KEY);
        return mac.doFinal(password);
    }

    /** A derivation's failure, carried out of the cache's computation. */
    private static final class DerivationFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DerivationFailed(InvalidKeyException cause) {
            super(cause);
        }
    }

    /** Package-private for tests: the formatter every login of this process gets. */
    static final class CachingFormatter extends ScramFormatter {

        private final ScramMechanism mechanism;

        CachingFormatter(ScramMechanism mechanism) throws NoSuchAlgorithmException {
            super(mechanism);
            this.mechanism = mechanism;
        }

        @Override
        public byte[] hi(byte[] password, byte[] salt, int iterations) throws InvalidKeyException {
            Derivation key;
            try {
                key = new Derivation(mechanism, ByteBuffer.wrap(passwordMac(password)), ByteBuffer.wrap(salt.clone()), iterations);
            } catch (NoSuchAlgorithmException e) {
                return super.hi(password, salt, iterations);
            }
            if (SALTED.size() >= MAX_ENTRIES && !SALTED.containsKey(key)) {
                SALTED.clear();
            }
            try {
                // A command's clients log in at once (an Admin and a producer on two cores): the second waits for the first's result.
                return SALTED.computeIfAbsent(key, k -> derive(password, salt, iterations)).clone();
            } catch (DerivationFailed e) {
                throw (InvalidKeyException) e.getCause();
            }
        }

        private byte[] derive(byte[] password, byte[] salt, int iterations) {
            try {
                byte[] derived = super.hi(password, salt, iterations);
                DERIVED.incrementAndGet();
                return derived;
            } catch (InvalidKeyException e) {
                throw new DerivationFailed(e);
            }
        }
    }

    private static final class CachingFactory implements SaslClientFactory {

        @Override
        public SaslClient createSaslClient(String[] mechanisms, String authorizationId, String protocol, String serverName,
                                           Map<String, ?> props, CallbackHandler callbacks) throws SaslException {
            for (String name : mechanisms) {
                ScramMechanism mechanism = ScramMechanism.forMechanismName(name);
                if (mechanism != null) {
                    try {
                        var client = new ScramSaslClient(mechanism, callbacks);
                        FORMATTER.set(client, new CachingFormatter(mechanism));
                        return client;
                    } catch (NoSuchAlgorithmException | IllegalAccessException e) {
                        throw new SaslException("cannot start a " + name + " login", e);
                    }
                }
            }
            return null;
        }

        @Override
        public String[] getMechanismNames(Map<String, ?> props) {
            return ScramMechanism.mechanismNames().toArray(new String[0]);
        }
    }

    private static final class CachingProvider extends Provider {

        static final String NAME = "StreamMesh SCRAM logins";

        CachingProvider() {
            super(NAME, "1.0", "SCRAM SASL clients that derive a salted password once per process");
            for (String mechanism : ScramMechanism.mechanismNames()) {
                // A service that makes its factory itself: the SASL framework would need a public class otherwise.
                putService(new Service(this, "SaslClientFactory", mechanism, CachingFactory.class.getName(), null, null) {
                    @Override
                    public Object newInstance(Object parameter) {
                        return new CachingFactory();
                    }
                });
            }
        }
    }
}
