/**
 * What an app or a domain team needs to talk to a running mesh, and nothing of the broker:
 * {@link io.streammesh.client.ClientConfigs} (a principal's client config files and the
 * properties read from them), {@link io.streammesh.client.MeshSerdes} and
 * {@link io.streammesh.client.RecordSerdes} (Avro in the Confluent wire format through the
 * registry), {@link io.streammesh.client.SchemaRegistry} and {@link io.streammesh.client.WireAvro},
 * {@link io.streammesh.client.RecordProducers}, {@link io.streammesh.client.MeshStreams} (the
 * settings every Streams app of the mesh shares: exactly_once_v2, its principal),
 * {@link io.streammesh.client.KafkaCalls}, {@link io.streammesh.client.PlatformApp}, and the
 * clients of the catalog's REST API ({@link io.streammesh.client.CatalogClient}) and of the
 * access-request flow ({@link io.streammesh.client.AccessClient}).
 *
 * <p>Threading and lifecycle: the serdes, producers and clients made here belong to the caller,
 * who closes them; {@code SchemaRegistry} and {@code WireAvro} are safe to share between threads
 * (one reader and writer per schema id, made once). Nothing here starts a thread of its own.
 *
 * <p>The root pom's enforcer rule keeps the broker ({@code kafka_2.13}, {@code kafka-server},
 * {@code kafka-metadata}) and Scala off this module's class path, so a domain team's producer
 * does not drag them in.
 */
package io.streammesh.client;
