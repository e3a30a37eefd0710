/**
 * SQL over the audit trail with an embedded Flink (the engine behind {@code mesh audit query}):
 * {@link io.streammesh.query.AuditQuery} runs one query over the tables of {@code AuditTables}
 * ({@code audit}, {@code catalog}, {@code grants}, {@code grants_now}), each read straight from
 * its mesh topic ({@code mesh.audit}, {@code mesh.catalog}, {@code mesh.access.grants}) as the
 * caller's own principal, so the broker's ACLs decide who may query what. {@code AuditStatement}
 * lets through a single query only (no DDL, INSERT, SET or OPTIONS hints), so a query reaches
 * no other connector or topic; {@link io.streammesh.query.ApicurioAvroFormatFactory} reads the
 * wire-format Avro records by the schema each was written with.
 *
 * <p>Lifecycle and threading: each {@code run} builds a table environment of its own (parallelism
 * 1, no restarts: a refused read ends the query with its reason), streams rows to the sink on the
 * calling thread and is gone when the result ends; a followed scan runs until that thread is
 * interrupted. Topics in: the three above; out: none.
 */
package io.streammesh.query;
