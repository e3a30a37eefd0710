package io.streammesh.embedded;

import io.streammesh.credentials.CredentialStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;

/**
 * The broker's SASL/PLAIN server callback: checks a client's password against the mesh's
 * {@link CredentialStore}, so that librdkafka clients (kcat), whose SCRAM fails against Kafka 4,
 * authenticate as the same principals as Java clients using SCRAM.
 *
 * <p>Configured per listener with {@code listener.name.<l>.plain.sasl.server.callback.handler.class}
 * and the JAAS option {@value #CREDENTIALS_FILE} naming the store's file. Kafka creates one
 * handler per network thread; they share the store's cache.
 */
public final class PlainCredentialCallbackHandler implements AuthenticateCallbackHandler {

    /** JAAS option of the PLAIN login module: path of the credential store. */
    public static final String CREDENTIALS_FILE = "credentials.file";

    private CredentialStore store;

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        Object file = jaasConfigEntries.stream()
                .map(entry -> entry.getOptions().get(CREDENTIALS_FILE))
                .filter(value -> value != null)
                .findFirst()
                .orElseThrow(() -> new ConfigException("the PLAIN JAAS config needs the option " + CREDENTIALS_FILE));
        store = CredentialStore.at(Path.of(file.toString()));
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        String user = null;
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                user = name.getDefaultName();
            } else if (callback instanceof PlainAuthenticateCallback plain) {
                plain.authenticated(store.authenticate(user, new String(plain.password())));
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void close() {
        store = null;
    }
}
