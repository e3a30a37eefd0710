package io.streammesh.query;

import io.streammesh.client.MeshSerdes;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Flink SQL format {@code 'format' = 'apicurio-avro'}: Avro records in the Confluent wire format
 * (magic byte, 4-byte contentId), each read by the schema it was written with, fetched from
 * Apicurio and cached. Columns are filled by field name, not position, so a table may pick any
 * fields, rename them and reach into nested records; enums read as text and timestamp-millis as
 * {@code TIMESTAMP(3)}.
 *
 * <p>Options: {@code url} (required), the registry's {@code .../apis/registry/v2} URL;
 * {@code username} and {@code password} (required), the principal the registry is read as (Flink
 * hides option values whose key contains "password" when it prints a table's options);
 * {@code field-paths} (optional), {@code column=path.to.field} pairs separated by commas for
 * columns whose field is not their camelCase name (e.g. {@code owner_team=registration.owner.team}).
 */
public final class ApicurioAvroFormatFactory implements DeserializationFormatFactory {

    /** The format's name in table options. */
    public static final String IDENTIFIER = "apicurio-avro";

    static final ConfigOption<String> URL = ConfigOptions.key("url").stringType().noDefaultValue()
            .withDescription("The Apicurio Registry's v2 API URL.");
    static final ConfigOption<String> USERNAME = ConfigOptions.key("username").stringType().noDefaultValue()
            .withDescription("The mesh principal to read the registry as.");
    static final ConfigOption<String> PASSWORD = ConfigOptions.key("password").stringType().noDefaultValue()
            .withDescription("The principal's password.");
    static final ConfigOption<String> FIELD_PATHS = ConfigOptions.key("field-paths").stringType().defaultValue("")
            .withDescription("column=path.to.field pairs, comma-separated, for columns not named after their field.");

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context, ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        String url = options.get(URL);
        var login = new MeshSerdes.RegistryLogin(options.get(USERNAME), options.get(PASSWORD));
        Map<String, String> paths = parsePaths(options.get(FIELD_PATHS));
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context source, DataType physicalType) {
                return new ApicurioRowDeserializer(url, login, (RowType) physicalType.getLogicalType(), paths,
                        source.createTypeInformation(physicalType));
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    static Map<String, String> parsePaths(String text) {
        var paths = new LinkedHashMap<String, String>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("field-paths: '" + pair.strip() + "' is not column=path.to.field");
            }
            paths.put(parts[0].strip(), parts[1].strip());
        }
        return paths;
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(URL, USERNAME, PASSWORD);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(FIELD_PATHS);
    }
}
