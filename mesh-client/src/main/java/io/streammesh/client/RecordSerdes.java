package io.streammesh.client;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Where the mesh's apps get the serdes of their Avro records. Topologies take one, so that
 * TopologyTestDriver tests can give them plain Avro binary ({@code testing.PlainAvroSerdes})
 * while the running apps use the registry and the Confluent wire format.
 */
@FunctionalInterface
public interface RecordSerdes {

    /**
     * @param type a generated record class
     * @return a serde for values of that class
     */
    <T extends SpecificRecord> Serde<T> of(Class<T> type);


    /**
     * @param clientConfig the app principal's client config, naming the registry
     * @return serdes in the Confluent wire format through the registry, registering the app's
     *         own record schemas on first use; their deserializers wait while the registry does not
     *         answer ({@link RegistryWaitingDeserializer}): the apps skip a record that does not
     *         decode, and a record read during a registry outage must not be taken for one (audit
     *         events, grants and catalog entries would be lost)
     */
    static RecordSerdes registry(MeshClientConfig clientConfig) {
        return new RecordSerdes() {
            @Override
            public <T extends SpecificRecord> Serde<T> of(Class<T> type) {
                return Serdes.serdeFrom(MeshSerdes.<T>valueSerializer(clientConfig, true),
                        new RegistryWaitingDeserializer<>(MeshSerdes.<T>valueDeserializer(clientConfig, true)));
            }
        };
    }
}
