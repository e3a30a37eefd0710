/**
 * catalog-stream: the governed catalog and the access workflow as a Kafka Streams app
 * ({@link io.streammesh.catalog.CatalogApp}, principal and {@code application.id}
 * {@code mesh-catalog}, exactly-once v2) with its REST API. It owns the governance rules, the
 * topology's parts ({@code CatalogTopology}: governance, the catalog as a global table, access,
 * view status; {@code HealthTopology}, an app of its own, {@code mesh-catalog-health}: product
 * health), the one place a grant expires ({@code AccessProcessor}'s wall-clock
 * punctuation) and the interactive queries behind the REST API.
 *
 * <p>Topics in: {@code mesh.registrations.*}, {@code mesh.decisions.*},
 * {@code mesh.access.requests.*}, product topics and their {@code .dlq}, {@code mesh.view.status};
 * out: {@code mesh.catalog}, {@code mesh.catalog.rejections}, {@code mesh.access.grants},
 * {@code mesh.product.stats}, {@code mesh.audit.raw} (REST calls), {@code mesh-catalog.dlq}.
 *
 * <p>Lifecycle and threading: {@code start} reads the partitions of {@code mesh.access.grants}
 * ({@code AccessPartitions}), binds the REST port (the instance's {@code application.server}),
 * then runs one stream thread and the global thread; processors live on the stream thread, the
 * four {@code catalog-rest} threads only read the state stores.
 */
package io.streammesh.catalog;
