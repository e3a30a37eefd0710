/**
 * audit-sink: the mesh's audit trail, {@code mesh.audit}, as a Kafka Streams app
 * ({@link io.streammesh.audit.AuditApp}, principal and {@code application.id} {@code mesh-audit},
 * exactly-once v2). It owns the normalisation of every source into {@code AuditEvent}s
 * ({@code AuditEvents}, leaving out the platform's own plumbing), the hash chain per partition of
 * {@code mesh.audit} ({@link io.streammesh.audit.AuditChain}, sealed by {@code ChainProcessor},
 * checked by {@link io.streammesh.audit.AuditVerifier}) and the consumption ledger, which turns
 * the committed offsets of groups on product and view topics into ranges of records read.
 *
 * <p>Topics in: {@code mesh.audit.raw} (the broker's authorizer, the catalog's REST calls),
 * {@code mesh.access.requests.*}, {@code mesh.decisions.*}, {@code mesh.registrations.*},
 * {@code mesh.access.grants}, {@code mesh.catalog.rejections}, {@code mesh-audit.consumption};
 * out: {@code mesh.audit}, {@code mesh-audit.dlq}.
 *
 * <p>Lifecycle and threading: {@code start} reads the partition count of {@code mesh.audit} (one
 * chain each), waits until the streams run, then starts the ledger on its own scheduled thread,
 * {@code mesh-audit-consumption-ledger}; processors live on the stream threads.
 */
package io.streammesh.audit;
