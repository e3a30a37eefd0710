/**
 * The domain team's side of the self-serve platform: {@link io.streammesh.connector.ProductPublisher}
 * turns a validated data contract into a governed product (schema, topics, registration);
 * {@link io.streammesh.connector.ProductProducer} sends records that pass the contract's quality
 * rules to the product and the others to its dead-letter topic;
 * {@link io.streammesh.connector.FileIngest} feeds a JSON Lines or CSV file through it.
 *
 * <p>Everything acts as the principal of the client config it is given, so the broker's ACLs
 * decide what a domain may publish, exactly as for any other Kafka client.
 */
package io.streammesh.connector;
