package io.streammesh.connector;

import io.streammesh.client.SchemaRegistry;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * stream thread, from the moment its first task is ready ({@link #compileAhead}): while that task's
 * first records are fetched and the other tasks restore their stores. Compiling one (two registry
 * round trips and the CEL rules) held the first record of its product, and every product's records
 * behind it, for about 50 ms.
 *
 * <p>A failure to compile is given again to every task that asks for the same registration for a
 * while, instead of being compiled again by each task every second: a contract whose rules do not
 * compile for {@link #FAILURE_KEPT}, a registry's refusal (a schema id it does not have, a
 * permission) for {@link #REFUSAL_KEPT}. A registry that does not answer is no failure of the
 * contract: the next look-up asks again.
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
     * How long a registration whose rules do not compile is refused with the same failure before
     * it is compiled again. Each task looks its products up every second: a registration written
     * past the contract validator, compiled again each time by each task, would hold every
     * domain's records on the gate's stream threads for a tenth of each second.
     */
    static final Duration FAILURE_KEPT = Duration.ofMinutes(1);
    /**
     * How long a registry's refusal to give a registration's schema or versions is given again:
     * one look-up a second for all tasks, as each task made before they were shared, so that a
     * refusal that ends (a permission granted) costs no more than a second of dead letters.
     */
    static final Duration REFUSAL_KEPT = Duration.ofSeconds(1);
    /** The longest a task waits for a compilation under way ahead before it compiles the contract itself. */
    static final Duration AHEAD_WAIT = Duration.ofSeconds(30);

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

    /**
     * A registration's failure to compile, given again until {@code until}.
     *
     * @param until the clock's milliseconds
     */
    private record Failure(ProductRegistration registration, RuntimeException failure, long until) {
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
     * that needs a contract meets the outage itself, which it waits out. The thread goes on after
     * the gate stops, at most through the rest of the list: a daemon, each look-up failing fast.
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
                    // kept in failures: the task that meets the product's records gets it from there
                    compiled.completeExceptionally(e);
                } catch (Throwable e) {
                    // a waiting task must not wait for good: it compiles the contract itself, and meets the error there
                    compiled.completeExceptionally(e);
                    LOG.error("Stopped compiling contracts ahead", e);
                    return;
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
     * @throws io.streammesh.schema.MeshException if a rule does not compile against the schema
     *         (the same failure for {@link #FAILURE_KEPT}), or the registry refuses the schema or
     *         versions (for {@link #REFUSAL_KEPT})
     * @throws io.streammesh.client.SchemaRegistry.Unreachable if the registry does not answer
     */
    Compiled of(ProductAddress address, ProductRegistration registration) {
        long now = clock.getAsLong();
        Compiled held = latest.get(address);
        if (fresh(held, registration, now)) {
            return held;
        }
        throwKept(address, registration, now);
        Ahead underWay = compilingAhead;
        if (underWay != null && underWay.product().equals(new Catalogued(address, registration))) {
            try {
                return underWay.compiled().get(AHEAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MeshException("interrupted while the contract of " + address + " was compiled", e);
            } catch (ExecutionException | TimeoutException e) {
                // its failure is kept (below), or this task compiles the contract itself
            }
        }
        // compiled ahead, or failed to, between the looks
        held = latest.get(address);
        if (fresh(held, registration, now)) {
            return held;
        }
        throwKept(address, registration, now);
        return compile(address, registration, held, now);
    }

    private void throwKept(ProductAddress address, ProductRegistration registration, long now) {
        Failure failed = failures.get(address);
        if (failed != null && failed.registration().equals(registration) && now < failed.until()) {
            throw failed.failure();
        }
    }

    private static boolean fresh(Compiled held, ProductRegistration registration, long now) {
        return held != null && held.registration().equals(registration) && now - held.versionsAt() < VERSIONS_FRESH.toMillis();
    }

    private Compiled compile(ProductAddress address, ProductRegistration registration, Compiled held, long now) {
        Compiled compiled;
        Duration kept = REFUSAL_KEPT;
        try {
            if (held != null && held.registration().equals(registration)) {
                compiled = new Compiled(registration, held.current(), schemas.versions(address.valueSubject()), held.rules(), now);
            } else {
                Schema current = schemas.schema(registration.getSchemaContentId());
                Set<Long> versions = schemas.versions(address.valueSubject());
                kept = FAILURE_KEPT;
                compiled = new Compiled(registration, current, versions, QualityRules.compile(registration.getQualityRules(), current), now);
            }
        } catch (SchemaRegistry.Unreachable e) {
            // an outage says nothing of the contract: the next look-up asks again
            throw e;
        } catch (RuntimeException e) {
            failures.put(address, new Failure(registration, e, now + kept.toMillis()));
            throw e;
        }
        failures.remove(address);
        latest.put(address, compiled);
        return compiled;
    }
}
