package io.streammesh.platform;

import io.apicurio.registry.serde.Legacy4ByteIdHandler;
import io.apicurio.registry.serde.SerdeConfig;
import io.apicurio.registry.serde.avro.AvroKafkaDeserializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.apicurio.registry.serde.avro.AvroKafkaSerdeConfig;
import io.apicurio.registry.serde.strategy.TopicIdStrategy;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

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
     * @param registryApiUrl the Apicurio v2 API, {@code <base>/apis/registry/v2}
     * @param autoRegister whether the serializer registers schemas it does not find; product
     *        schemas are registered by publishing, so their producers leave this off
     * @return the serde config
     */
    public static Map<String, Object> config(String registryApiUrl, boolean autoRegister) {
        Map<String, Object> config = new HashMap<>();
        config.put(SerdeConfig.REGISTRY_URL, registryApiUrl);
        config.put(SerdeConfig.ARTIFACT_RESOLVER_STRATEGY, TopicIdStrategy.class.getName());
        config.put(SerdeConfig.ENABLE_HEADERS, false);
        // as-confluent alone works but warns that it overrides the default id handler.
        config.put(SerdeConfig.ID_HANDLER, Legacy4ByteIdHandler.class.getName());
        config.put(SerdeConfig.ENABLE_CONFLUENT_ID_HANDLER, true);
        config.put(SerdeConfig.USE_ID, "contentId");
        config.put(SerdeConfig.AUTO_REGISTER_ARTIFACT, autoRegister);
        return config;
    }

    /**
     * @param clientConfig a principal's client config
     * @return its registry's v2 API URL
     * @throws MeshException if the config names no registry
     */
    public static String registryUrl(Properties clientConfig) {
        String url = clientConfig.getProperty(ClientConfigs.REGISTRY_URL);
        if (url == null || url.isBlank()) {
            throw new MeshException("the client config has no " + ClientConfigs.REGISTRY_URL
                    + " (the registry's /apis/registry/v2 URL); add it, or use a config written by mesh up");
        }
        return url;
    }

    /**
     * @param clientConfig a principal's client config
     * @param autoRegister whether to register unknown schemas
     * @return a value serializer for any Avro record (specific or generic)
     */
    public static <T> AvroKafkaSerializer<T> valueSerializer(Properties clientConfig, boolean autoRegister) {
        var serializer = new AvroKafkaSerializer<T>();
        serializer.configure(config(registryUrl(clientConfig), autoRegister), false);
        return serializer;
    }

    /**
     * @param clientConfig a principal's client config
     * @param specific whether to return the generated classes of the writer's schema instead of
     *        {@code GenericRecord}s
     * @return a value deserializer
     */
    public static <T> AvroKafkaDeserializer<T> valueDeserializer(Properties clientConfig, boolean specific) {
        var deserializer = new AvroKafkaDeserializer<T>();
        Map<String, Object> config = config(registryUrl(clientConfig), false);
        config.put(AvroKafkaSerdeConfig.USE_SPECIFIC_AVRO_READER, specific);
        deserializer.configure(config, false);
        return deserializer;
    }
}
