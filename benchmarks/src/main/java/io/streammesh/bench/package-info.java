/**
 * The mesh's benchmarks, where speed is measured (never in unit tests):
 * {@link io.streammesh.bench.Benchmarks} picks one and runs it on meshes of its own (fresh
 * state directories, free ports), closed after. {@code ProducerBenchmark} (CEL quality rules in
 * {@code ProductProducer} against a plain producer), {@code ViewBenchmark} (a policy-enforcer
 * view against a plain exactly-once copy; grant/revoke latency) and {@code AuditBenchmark} (the
 * auditing authorizer against Kafka's {@code StandardAuthorizer}; audit latency) each alternate
 * the measured code with its baseline in the same run and print both rates and their ratio:
 * on a noisy machine only the ratio means anything.
 *
 * <p>Threading: one benchmark at a time on the main thread (the audit benchmark tails
 * {@code mesh.audit} on a thread of its own); the apps under test run in the same JVM. Depends on embedded-mesh, so it is never part of an app.
 */
package io.streammesh.bench;
