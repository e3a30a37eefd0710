package io.streammesh.embedded;

import io.streammesh.schema.MeshException;
import io.streammesh.schema.MeshPrincipal;
import java.time.Duration;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.scram.ScramLoginModule;

/**
 * Logs in as a principal until the broker accepts its new password over both SASL mechanisms.
 * KRaft applies a SCRAM credential to the broker's cache asynchronously, after the controller
 * has acknowledged it, so a client that connects right after {@code alterUserScramCredentials}
 * may be refused; onboarding returns only once a real login works, so callers never see that
 * window.
 */
final class LoginCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(20);
    private static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    /** The SASL mechanisms clients of the mesh use, and their login modules. */
    enum Mechanism {
        SCRAM("SCRAM-SHA-512", ScramLoginModule.class),
        PLAIN("PLAIN", PlainLoginModule.class);

        private final String saslName;
        private final Class<?> loginModule;

        Mechanism(String saslName, Class<?> loginModule) {
            this.saslName = saslName;
            this.loginModule = loginModule;
        }
    }

    private LoginCheck() {
    }

    /**
     * @param bootstrapServers the broker
     * @param principal who logs in
     * @param password its new password
     * @param mechanisms the SASL mechanisms it must log in with
     * @throws MeshException if the broker still refuses it after {@link #TIMEOUT}
     */
    static void awaitAccepted(String bootstrapServers, MeshPrincipal principal, String password, Collection<Mechanism> mechanisms) {
        for (Mechanism mechanism : mechanisms) {
            awaitAccepted(bootstrapServers, principal, password, mechanism);
        }
    }

    private static void awaitAccepted(String bootstrapServers, MeshPrincipal principal, String password, Mechanism mechanism) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Duration backoff = FIRST_BACKOFF;
        while (true) {
            AuthenticationException refusal = tryLogin(config(bootstrapServers, principal, password, mechanism), principal, mechanism);
            if (refusal == null) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new MeshException("the broker still refuses the new credentials of " + principal.kafkaPrincipal()
                        + " over " + mechanism.saslName + " after " + TIMEOUT.toSeconds() + " s: " + refusal.getMessage(), refusal);
            }
            pause(backoff);
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** @return the broker's refusal, or null once the login worked */
    private static AuthenticationException tryLogin(Properties config, MeshPrincipal principal, Mechanism mechanism) {
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AuthenticationException refused) {
                return refused;
            }
            throw new MeshException("could not log in as " + principal.kafkaPrincipal() + " over " + mechanism.saslName
                    + " to check its new credentials: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new MeshException("could not log in as " + principal.kafkaPrincipal() + " over " + mechanism.saslName
                    + " within " + TIMEOUT.toSeconds() + " s to check its new credentials: is the mesh running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while checking the new credentials of " + principal.kafkaPrincipal(), e);
        }
    }

    private static Properties config(String bootstrapServers, MeshPrincipal principal, String password, Mechanism mechanism) {
        var props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, mechanism.saslName);
        props.put(SaslConfigs.SASL_JAAS_CONFIG, mechanism.loginModule.getName() + " required username=\""
                + principal.name() + "\" password=\"" + password + "\";");
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "mesh-login-check");
        return props;
    }

    private static void pause(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MeshException("interrupted while waiting for the broker to accept new credentials", e);
        }
    }
}
