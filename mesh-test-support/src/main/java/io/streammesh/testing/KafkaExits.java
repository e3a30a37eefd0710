package io.streammesh.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.Exit;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a test JVM alive when a Kafka node in it asks to exit or halt (a failed log directory, a
 * fatal Raft error). In a test run that ends one broker, typically of a cluster that an earlier
 * test class closed while it was still stopping and whose directory was then deleted. It must not
 * end the JVM that runs every later test class: surefire then reports the whole fork as crashed,
 * with no test named. The request is logged, and the Kafka thread that made it ends with an
 * exception, as in Kafka's own test harness.
 *
 * <p>Registered as a JUnit launcher session listener (META-INF/services), so the procedures are in
 * place before the first test of any JVM whose class path holds this module, whichever test
 * starts a broker first.
 */
public final class KafkaExits implements LauncherSessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaExits.class);
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    /** For the JUnit launcher's service loader. */
    public KafkaExits() {
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        keepTheJvm();
    }

    /** Installs the procedures once per JVM. */
    static void keepTheJvm() {
        if (INSTALLED.compareAndSet(false, true)) {
            Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
            Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
        }
    }

    private static void refuse(String kind, int status, String message) {
        String what = "a Kafka node in this test JVM asked to " + kind + " with status " + status + (message == null ? "" : ": " + message);
        LOG.error("{} (refused: the JVM runs the other tests)", what);
        throw new IllegalStateException(what);
    }
}
