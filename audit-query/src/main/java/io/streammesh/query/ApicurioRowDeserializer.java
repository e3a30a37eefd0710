package io.streammesh.query;

import io.streammesh.client.MeshSerdes;
import io.streammesh.client.SchemaRegistry;
import io.streammesh.client.WireAvro;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
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
    /** The positions of a column whose path crosses a union of several records. */
    private static final int[] BY_NAME = new int[0];

    private final String url;
    private final String username;
    private final String password;
    private final RowType rowType;
    private final Map<String, String> paths;
    private final TypeInformation<RowData> producedType;
    private transient SchemaRegistry registry;
    private transient WireAvro wire;
    private transient List<String[]> fieldPaths;
    /** Per writer schema (one instance each, from {@link WireAvro}): each column's field positions, null where it has no such field. */
    private transient Map<Schema, int[][]> positions;

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
        positions = new IdentityHashMap<>();
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
        int[][] columns = positions.computeIfAbsent(record.getSchema(), this::positionsIn);
        var row = new GenericRowData(columns.length);
        for (int i = 0; i < columns.length; i++) {
            Object value = columns[i] == BY_NAME ? readByName(record, fieldPaths.get(i)) : read(record, columns[i]);
            row.setField(i, convert(value, rowType.getTypeAt(i)));
        }
        return row;
    }

    /** Looking fields up by name for every row of a million-event trail was a measurable share of a query's time. */
    private int[][] positionsIn(Schema schema) {
        var columns = new int[fieldPaths.size()][];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = positionsOf(schema, fieldPaths.get(i));
        }
        return columns;
    }

    /** @return the positions along the path, null if the schema has no such field, {@link #BY_NAME} if a union makes it ambiguous */
    private static int[] positionsOf(Schema schema, String[] path) {
        var at = new int[path.length];
        Schema current = schema;
        for (int step = 0; step < path.length; step++) {
            if (current.getType() == Schema.Type.UNION) {
                List<Schema> branches = current.getTypes().stream().filter(branch -> branch.getType() != Schema.Type.NULL).toList();
                if (branches.size() != 1) {
                    return BY_NAME;
                }
                current = branches.get(0);
            }
            Schema.Field field = current.getType() == Schema.Type.RECORD ? current.getField(path[step]) : null;
            if (field == null) {
                return null;
            }
            at[step] = field.pos();
            current = field.schema();
        }
        return at;
    }

    /** A path through a union of several records: which branch a value takes is known only from the value. */
    private static Object readByName(GenericRecord record, String[] path) {
        Object value = record;
        for (String field : path) {
            if (!(value instanceof GenericRecord current) || current.getSchema().getField(field) == null) {
                return null;
            }
            value = current.get(field);
        }
        return value;
    }

    private static Object read(GenericRecord record, int[] path) {
        if (path == null) {
            return null;
        }
        Object value = record;
        for (int position : path) {
            if (!(value instanceof GenericRecord current)) {
                return null;
            }
            value = current.get(position);
        }
        return value;
    }

    private static Object convert(Object value, LogicalType type) {
        if (value == null) {
            return null;
        }
        return switch (type.getTypeRoot()) {
            // Avro's text is UTF-8 already, as Flink's is: no round trip through a Java String.
            case CHAR, VARCHAR -> value instanceof Utf8 text ? StringData.fromBytes(text.getBytes(), 0, text.getByteLength())
                    : StringData.fromString(value.toString());
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
