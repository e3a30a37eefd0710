package io.streammesh.query;

import io.streammesh.client.MeshSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Reads one wire-format Avro record into a row, column by column, by field path. */
final class ApicurioRowDeserializer implements DeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    private final String url;
    private final String username;
    private final String password;
    private final RowType rowType;
    private final Map<String, String> paths;
    private final TypeInformation<RowData> producedType;
    private transient SchemaRegistry registry;
    private transient WireAvro wire;
    private transient List<String[]> fieldPaths;

    ApicurioRowDeserializer(String url, MeshSerdes.RegistryLogin login, RowType rowType, Map<String, String> paths,
                            TypeInformation<RowData> producedType) {
        this.url = url;
        this.username = login.name();
        this.password = login.password();
        this.rowType = rowType;
        this.paths = Map.copyOf(paths);
        this.producedType = producedType;
    }

    @Override
    public void open(InitializationContext context) {
        registry = SchemaRegistry.connect(url, new MeshSerdes.RegistryLogin(username, password));
        wire = new WireAvro(registry);
        fieldPaths = new ArrayList<>();
        for (String column : rowType.getFieldNames()) {
            fieldPaths.add(paths.getOrDefault(column, camelCase(column)).split("\\."));
        }
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        if (message == null) {
            return null;
        }
        GenericRecord record;
        try {
            record = wire.decode(message);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a record in the mesh's Avro wire format: " + e.getMessage(), e);
        }
        var row = new GenericRowData(fieldPaths.size());
        for (int i = 0; i < fieldPaths.size(); i++) {
            row.setField(i, convert(read(record, fieldPaths.get(i)), rowType.getTypeAt(i)));
        }
        return row;
    }

    private static Object read(GenericRecord record, String[] path) {
        Object value = record;
        for (String field : path) {
            if (!(value instanceof GenericRecord current) || current.getSchema().getField(field) == null) {
                return null;
            }
            value = current.get(field);
        }
        return value;
    }

    private static Object convert(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> StringData.fromString(value.toString());
            case BIGINT -> ((Number) value).longValue();
            case INTEGER -> ((Number) value).intValue();
            case DOUBLE -> ((Number) value).doubleValue();
            case BOOLEAN -> value;
            case TIMESTAMP_WITHOUT_TIME_ZONE -> TimestampData.fromEpochMillis(((Number) value).longValue());
            case ARRAY -> new GenericArrayData(((Collection<?>) value).stream().map(v -> StringData.fromString(v.toString())).toArray());
            default -> throw new IllegalArgumentException("column type " + type + " is not supported by " + ApicurioAvroFormatFactory.IDENTIFIER);
        };
    }

    private static String camelCase(String column) {
        var out = new StringBuilder();
        boolean upper = false;
        for (char c : column.toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    @Override
    public boolean isEndOfStream(RowData next) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
