/**
 * The mesh's additions to the Apicurio Registry 2.4.2 server, as Quarkus beans: the door every
 * HTTP call goes through ({@link io.streammesh.registry.RegistryGate}, HTTP Basic against the
 * mesh's credential store), what a call needs ({@code RegistryCall}) and who may make it
 * ({@code RegistryPolicy}: any principal reads; a principal writes only the value schemas of
 * topics the broker lets it write; rules, deletes and admin are the platform's), and
 * {@link io.streammesh.registry.ParentWatch}, which ends the registry when the mesh process that
 * launched it exits.
 *
 * <p>Lifecycle: the gate registers its filter when Quarkus starts and refuses to start without
 * {@code -Dmesh.credentials}; nothing is kept between calls but the store's memoised checks.
 * Threading: the filter runs on Vert.x's request threads for every call at once, so it keeps
 * no per-call state; the watch reacts on the JDK's process-exit thread.
 */
package io.streammesh.registry;
