/**
 * The embedded mesh: an in-JVM KRaft broker (SASL PLAIN and SCRAM-SHA-512 for the same
 * principals, StandardAuthorizer, deny by default), the Apicurio Registry as a child process,
 * the platform topics and least-privilege ACLs, principals and their client configs.
 *
 * <p>Entry points: {@link io.streammesh.platform.EmbeddedMesh#start} (run a mesh),
 * {@link io.streammesh.platform.Onboarding} (add principals and domains),
 * {@link io.streammesh.platform.StateDirectory} (where a mesh keeps its state).
 */
package io.streammesh.platform;
