/**
 * The JUnit 5 harness that gives every integration test of the mesh a real broker and registry:
 * {@link io.streammesh.testing.MeshTest} / {@link io.streammesh.testing.MeshExtension} (one
 * embedded mesh per test JVM, on free ports and a temporary state directory, closed when the JVM's
 * tests end), {@link io.streammesh.testing.AppProcess} (an app in its own JVM, to kill it),
 * {@link io.streammesh.testing.KafkaServerProcess} (Kafka's own broker from a server.properties),
 * {@link io.streammesh.testing.TopicReader} (the one way tests read a topic until a count or a
 * deadline), {@link io.streammesh.testing.AuditTopicReader}, {@link io.streammesh.testing.ProductRecords}
 * (records already in a product, written as the contract gate), {@link io.streammesh.testing.IngestGrants}
 * (a domain's WRITE on an ingest topic, as the policy-enforcer grants it), and
 * {@link io.streammesh.testing.PlainAvroSerdes} for TopologyTestDriver tests.
 *
 * <p>Modules depend on this with {@code <scope>test</scope>} only: no production jar ships it.
 * Readers open and close their own consumer on the test's thread.
 */
package io.streammesh.testing;
