package io.streammesh.enforcer;

import io.streammesh.schema.MeshException;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * What a view needs before its first record, made ready away from the stream thread: its topic
 * and dead-letter topic, and its schema registered. Both questions are non-blocking: the first
 * ask starts the preparation, a later ask sees it done. {@link ViewPreparer} in the mesh; a
 * stand-in in topology tests.
 */
interface ViewPreparation {

    /**
     * @param productTopic the product the view is of (its partitions and retention are the view's)
     * @param viewTopic the view's topic
     * @return whether the view's topic and dead-letter topic exist; until they do, they are being
     *         created, or will be again a while after an attempt that failed (which is logged, not
     *         thrown: the product's records wait, and no other product's)
     */
    boolean topicsReady(String productTopic, String viewTopic);

    /**
     * @param viewTopic the view's topic
     * @return why the last attempt to create the view's topics failed, while they are not there
     */
    Optional<String> topicsFailure(String viewTopic);

    /**
     * @param viewTopic the view's topic (its schema's subject is {@code <view topic>-value})
     * @param viewSchema the view's schema for one writer schema of the product
     * @return what each view record of that schema starts with, once registered; until then empty
     * @throws SchemaRefused if the registry's rules refused the schema (the view's own failure)
     * @throws io.streammesh.schema.MeshException if the last attempt failed otherwise (the next ask tries again)
     */
    Optional<byte[]> header(String viewTopic, Schema viewSchema);

    /**
     * @return a count that grows each time a preparation finishes, done or failed, and only after
     *         its answer can be seen: records held for their views are worth trying again once it
     *         has moved
     */
    long progress();

    /**
     * The registry's rules refused a view's schema under its subject (a contract whose new masks
     * make it incompatible with the view schema registered before, say): the view's own failure,
     * which its owner's contract made, so its records are dead-lettered and the task goes on;
     * unlike an unreachable registry, the platform's failure, which fails the task.
     */
    final class SchemaRefused extends MeshException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the registry's reasons
         * @param cause the refusal
         */
        SchemaRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
