package io.streammesh.connector;

import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the contract gate's tasks share of each product's contract as the catalog last gave it:
 * its schema, the ids of its registered versions and its compiled quality rules, looked up and
 * compiled once per registration instead of once per task. Each task reads a partition of every
 * ingest topic, so a gate with many partitions compiled every contract, and asked the registry
 * for its versions, once per partition at each start. Thread-safe: the rules are immutable, and
 * two tasks that meet a new registration at once may both compile it, harmlessly.
 *
 * <p>The versions are asked again for a task that starts more than {@link #VERSIONS_FRESH} after
 * they were, as each task asked before they were shared: an answer given while the registry was
 * down (the last one known) or a version deleted since does not stay for good.
 *
 * <p>At a gate's start the contracts of the catalogued products are compiled ahead, beside the
 * stream thread, which meanwhile joins its group and restores its stores ({@link #compileAhead}):
 * compiling one (two registry round trips and the CEL rules) held the first record of its product,
 * and every product's records behind it, for about 50 ms.
 */
final class CompiledContracts {

    private static final Logger LOG = LoggerFactory.getLogger(CompiledContracts.class);

    /** How long a product's registered versions, once asked, serve the tasks that start. */
    static final Duration VERSIONS_FRESH = Duration.ofMinutes(1);
    /**
     * The most products whose contracts a gate compiles ahead at its start; the others are compiled
     * when their first records come. A gate of a mesh with thousands of mostly idle products would
     * otherwise ask the registry thousands of times at each start and hold every contract compiled.
     */
    static final int AHEAD_LIMIT = 100;
    /**
     * How long a registration that failed to compile is refused with the same failure before it
     * is compiled again. Each task looks its products up every second: a registration written past
     * the contract validator, compiled again each time by each task, would hold every domain's
     * records on the gate's stream threads for a tenth of each second.
     */
    static final Duration FAILURE_KEPT = Duration.ofMinutes(1);

    /**
     * One product's contract, compiled.
     *
     * @param registration the registration it was compiled from
     * @param current the product's current schema (the registration's)
     * @param versions the ids of the product's registered versions, as the registry gave them
     * @param rules its quality rules, compiled against {@code current}
     * @param versionsAt when the versions were asked (the clock's milliseconds)
     */
    record Compiled(ProductRegistration registration, Schema current, Set<Long> versions, QualityRules rules, long versionsAt) {
    }

    /**
     * A catalogued product to compile ahead.
     *
     * @param address the product
     * @param registration its registration, as the catalog admitted it, naming a schema id
     */
    record Catalogued(ProductAddress address, ProductRegistration registration) {
    }

    /** A registration's failure to compile (its rules, or its schema's look-up), given again for {@link #FAILURE_KEPT}. */
    private record Failure(ProductRegistration registration, RuntimeException failure, long at) {
    }

    /** The compilation under way ahead: a task that needs it waits for it instead of compiling the same contract beside it. */
    private record Ahead(Catalogued product, CompletableFuture<Compiled> compiled) {
    }

    private final ProductSchemas schemas;
    private final LongSupplier clock;
    private final Executor ahead;
    /** By product: its last registration's compilation, replaced when a task meets a newer one. */
    private final Map<ProductAddress, Compiled> latest = new ConcurrentHashMap<>();
    private final Map<ProductAddress, Failure> failures = new ConcurrentHashMap<>();
    private final AtomicBoolean aheadStarted = new AtomicBoolean();
    private volatile Ahead compilingAhead;

    /**
     * @param schemas where products' schemas and versions are looked up
     * @param ahead where contracts are compiled ahead ({@link #compileAhead})
     */
    CompiledContracts(ProductSchemas schemas, Executor ahead) {
        this(schemas, ahead, System::currentTimeMillis);
    }

    /**
     * @param schemas where products' schemas and versions are looked up
     * @param ahead where contracts are compiled ahead ({@link #compileAhead})
     * @param clock milliseconds, for {@link #VERSIONS_FRESH}
     */
    CompiledContracts(ProductSchemas schemas, Executor ahead, LongSupplier clock) {
        this.schemas = schemas;
        this.ahead = ahead;
        this.clock = clock;
    }

    /**
     * A thread of its own for {@link #compileAhead}, made when the gate starts and ending once the
     * products are compiled: a daemon, so that a gate stopped meanwhile is not kept from exiting.
     *
     * @return the executor
     */
    static Executor aheadThread() {
        return work -> {
            var thread = new Thread(work, "mesh-gate-contracts-ahead");
            thread.setDaemon(true);
            thread.start();
        };
    }

    /**
     * Compiles the products' contracts ahead, once for all tasks (the first task to start gives
     * them; later calls do nothing). A contract that fails to compile ahead gives its failure to
     * the task that meets its product's records, as if that task had compiled it: the reason for its
     * dead letters. After the registry fails to answer, nothing more is compiled ahead, and a task
     * that needs a contract meets the outage itself, which it waits out.
     *
     * @param catalogued the catalogued products, asked on the caller's thread at the first call only;
     *        at most {@link #AHEAD_LIMIT} of them are compiled
     */
    void compileAhead(Supplier<List<Catalogued>> catalogued) {
        if (!aheadStarted.compareAndSet(false, true)) {
            return;
        }
        List<Catalogued> products = catalogued.get();
        List<Catalogued> first = List.copyOf(products.subList(0, Math.min(products.size(), AHEAD_LIMIT)));
        if (first.isEmpty()) {
            return;
        }
        ahead.execute(() -> {
            for (Catalogued product : first) {
                Compiled held = latest.get(product.address());
                if (held != null && held.registration().equals(product.registration())) {
                    continue;
                }
                var compiled = new CompletableFuture<Compiled>();
                compilingAhead = new Ahead(product, compiled);
                try {
                    compiled.complete(compile(product.address(), product.registration(), held, clock.getAsLong()));
                } catch (SchemaRegistry.Unreachable e) {
                    compiled.completeExceptionally(e);
                    LOG.info("Stopped compiling contracts ahead: {}; each is compiled when its product's first record comes", e.getMessage());
                    return;
                } catch (RuntimeException e) {
                    compiled.completeExceptionally(e);
                } finally {
                    compilingAhead = null;
                }
            }
        });
    }

    /**
     * @param address the product
     * @param registration its registration, as the catalog admitted it, naming a schema id
     * @return its compilation
     * @throws io.streammesh.schema.MeshException if a rule does not compile against the schema,
     *         or the schema cannot be read (the same failure for {@link #FAILURE_KEPT})
     * @throws io.streammesh.client.SchemaRegistry.Unreachable if the registry does not answer
     */
    Compiled of(ProductAddress address, ProductRegistration registration) {
        long now = clock.getAsLong();
        Compiled held = latest.get(address);
        if (fresh(held, registration, now)) {
            return held;
        }
        Failure failed = failures.get(address);
        if (failed != null && failed.registration().equals(registration) && now - failed.at() < FAILURE_KEPT.toMillis()) {
            throw failed.failure();
        }
        Ahead underWay = compilingAhead;
        if (underWay != null && underWay.product().equals(new Catalogued(address, registration))) {
            try {
                return underWay.compiled().join();
            } catch (CompletionException e) {
                // compiled again below, so that this task meets the failure itself
            }
        }
        // compiled ahead between the looks
        held = latest.get(address);
        return fresh(held, registration, now) ? held : compile(address, registration, held, now);
    }

    private static boolean fresh(Compiled held, ProductRegistration registration, long now) {
        return held != null && held.registration().equals(registration) && now - held.versionsAt() < VERSIONS_FRESH.toMillis();
    }

    private Compiled compile(ProductAddress address, ProductRegistration registration, Compiled held, long now) {
        Compiled compiled;
        try {
            if (held != null && held.registration().equals(registration)) {
                compiled = new Compiled(registration, held.current(), schemas.versions(address.valueSubject()), held.rules(), now);
            } else {
                Schema current = schemas.schema(registration.getSchemaContentId());
                compiled = new Compiled(registration, current, schemas.versions(address.valueSubject()),
                        QualityRules.compile(registration.getQualityRules(), current), now);
            }
        } catch (SchemaRegistry.Unreachable e) {
            // an outage says nothing of the contract: the next look-up asks again
            throw e;
        } catch (RuntimeException e) {
            failures.put(address, new Failure(registration, e, now));
            throw e;
        }
        failures.remove(address);
        latest.put(address, compiled);
        return compiled;
    }
}
