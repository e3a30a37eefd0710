package io.streammesh.registry;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import javax.enterprise.context.ApplicationScoped;
import javax.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Stops the registry when the mesh process that launched it is gone.
 *
 * <p>The embedded mesh starts the registry as a child process and passes its own pid as the
 * system property {@value #PARENT_PID}. A shutdown hook in the parent covers Ctrl-C, but not a
 * {@code kill -9} or a crash of the parent's JVM: this watch covers those, so no registry is
 * ever left orphaned holding its port and its H2 file.
 */
@ApplicationScoped
public class ParentWatch {

    /** System property naming the pid of the process whose exit ends this registry. */
    public static final String PARENT_PID = "mesh.parent.pid";

    private static final Logger LOG = Logger.getLogger(ParentWatch.class);

    void onStart(@Observes StartupEvent event) {
        String pid = System.getProperty(PARENT_PID);
        if (pid == null) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                parent -> parent.onExit().thenRun(ParentWatch::parentGone),
                ParentWatch::parentGone);
    }

    private static void parentGone() {
        LOG.info("The mesh process that started this registry has exited; stopping the registry.");
        Quarkus.asyncExit();
    }
}
