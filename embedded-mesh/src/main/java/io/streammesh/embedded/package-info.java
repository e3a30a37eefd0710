/**
 * The embedded mesh: an in-JVM KRaft broker (SASL PLAIN and SCRAM-SHA-512 for the same
 * principals, deny by default, every decision audited by the audit-authorizer's
 * {@code AuditingAuthorizer} unless {@link io.streammesh.embedded.MeshConfig#audit()} is off),
 * the Apicurio Registry as a child process, the platform topics and least-privilege ACLs,
 * principals and their client configs.
 *
 * <p>Entry points: {@link io.streammesh.embedded.EmbeddedMesh#start} (run a mesh),
 * {@link io.streammesh.embedded.Onboarding} (add principals and domains),
 * {@link io.streammesh.embedded.StateDirectory} (where a mesh keeps its state).
 *
 * <p>Lifecycle: {@code EmbeddedMesh.start} locks the state directory, starts the broker, then the
 * registry (watched by {@code RegistrySupervisor}'s own thread, which restarts it on the same
 * port), then creates platform topics and ACLs; {@code close} stops them in reverse order and
 * releases the lock. Onboarding calls run on the caller's thread and return once the broker
 * applied them. Only mesh-cli, benchmarks and mesh-test-support depend on this package: apps
 * talk to a mesh through {@code io.streammesh.client}.
 */
package io.streammesh.embedded;
