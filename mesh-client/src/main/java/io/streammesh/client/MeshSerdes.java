package io.streammesh.client;

import io.apicurio.registry.resolver.SchemaResolverConfig;
import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.strategy.TopicIdStrategy;
import io.streammesh.schema.MeshException;
import java.util.HashMap;
import java.util.Map;

/**
 * Avro serdes in the one wire format every record of the mesh uses: the Confluent format (magic
 * byte 0, then the schema's 4-byte Apicurio contentId), subjects {@code <topic>-value}, no
 * headers. ksqlDB, Flink, kafkajs and {@code kcat -s avro} decode it through the registry's
 * Confluent-compatible API ({@code /apis/ccompat/v7/schemas/ids/<id>}).
 */
public final class MeshSerdes {

    private MeshSerdes() {
    }

    /**
     * @param clientConfig a principal's client config, naming the registry and the login to it
     * @param autoRegister whether the serializer registers schemas it does not find; product
     *        schemas are registered by publishing, so their producers leave this off
     * @return the serde config
     */
    public static Map<String, Object> config(MeshClientConfig clientConfig, boolean autoRegister) {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, registryUrl(clientConfig));
        RegistryLogin login = registryLogin(clientConfig);
        config.put(SerdeConfig.AUTH_USERNAME, login.name());
        config.put(SerdeConfig.AUTH_PASSWORD, login.password());
        config.put(SerdeConfig.ARTIFACT_RESOLVER_STRATEGY, TopicIdStrategy.class.getName());
        config.put(SerdeConfig.ENABLE_HEADERS, false);
        // as-confluent alone works but warns that it overrides the default id handler.
        config.put(SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName());
        config.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, autoRegister);
        config.put(AvroKafkaSerdeConfig.AVRO_DATUM_PROVIDER, CachingAvroDatumProvider.class.getName());
        // A schema lookup is refreshed every 30 s; while the registry is down, keep using the one
        // known (a content id names one schema for good) rather than fail every app's records.
        config.put(SchemaResolverConfig.FAULT_TOLERANT_REFRESH, true);
        return config;
    }

    /**
     * @param clientConfig a principal's client config
     * @return its registry's v2 API URL
     * @throws MeshException if the config names no registry
     */
    public static String registryUrl(MeshClientConfig clientConfig) {
        return clientConfig.registryUrlText();
    }

    /**
     * Who a client config logs in to the registry as: the registry takes the broker's credentials.
     *
     * @param clientConfig a principal's client config
     * @return the login
     */
    public static RegistryLogin registryLogin(MeshClientConfig clientConfig) {
        return new RegistryLogin(clientConfig.principal(), clientConfig.password().reveal());
    }

    /**
     * A login to the registry (HTTP Basic).
     *
     * @param name the principal's name, without {@code User:}
     * @param password its password
     */
    public record RegistryLogin(String name, String password) {

        /** Never the password, should a login end up in a log line or a message. */
        @Override
        public String toString() {
            return "RegistryLogin[" + name + "]";
        }
    }

    /**
     * @param clientConfig a principal's client config
     * @param autoRegister whether to register unknown schemas
     * @return a value serializer for any Avro record (specific or generic)
     */
    public static <T> AvroKafkaSerializer<T> valueSerializer(MeshClientConfig clientConfig, boolean autoRegister) {
        var serializer = new MeshAvroSerializer<T>();
        serializer.configure(config(clientConfig, autoRegister), false);
        return serializer;
    }

    /**
     * @param clientConfig a principal's client config
     * @param specific whether to return the generated classes of the writer's schema instead of
     *        {@code GenericRecord}s
     * @return a value deserializer
     */
    public static <T> AvroKafkaDeserializer<T> valueDeserializer(MeshClientConfig clientConfig, boolean specific) {
        var deserializer = new AvroKafkaDeserializer<T>();
        Map<String, Object> config = config(clientConfig, false);
        config.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, specific);
        deserializer.configure(config, false);
        return deserializer;
    }
}
