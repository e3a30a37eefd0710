/**
 * The broker plugin that reports every authorisation decision to {@code mesh.audit.raw}:
 * {@link io.streammesh.authorizer.AuditingAuthorizer} (Kafka's {@code StandardAuthorizer} plus
 * a counter on the request path), {@link io.streammesh.authorizer.DecisionCounts} (decisions
 * counted per second per principal, client, operation, resource, bounded),
 * {@link io.streammesh.authorizer.AuthorizationShipper} (its own thread ships the counts),
 * {@link io.streammesh.authorizer.AuthorizationSpool} (events on disk while the topic is out of
 * reach or the broker stops), configured by the keys of
 * {@link io.streammesh.authorizer.AuditAuthorizerConfig}.
 *
 * <p>Threading: the broker's request threads only add to {@code DecisionCounts} (a concurrent map
 * update); the shipper's thread drains it, produces, and spools what it cannot ship. Lifecycle:
 * {@code configure} reads the settings, {@code start} starts one shipper per authorizer instance
 * (in combined mode the broker's and the controller's), {@code close} spools what is left.
 */
package io.streammesh.authorizer;
