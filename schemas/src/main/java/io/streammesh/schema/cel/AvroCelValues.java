package io.streammesh.schema.cel;

import com.google.protobuf.ByteString;
import com.google.protobuf.NullValue;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/** Avro values as the values CEL's runtime works with (maps, lists, longs, doubles, strings). */
final class AvroCelValues {

    private AvroCelValues() {
    }

    /**
     * @return the record as a map CEL selects fields from; fields are converted when read, since an
     *         expression usually reads few of them
     */
    static Map<String, Object> of(GenericRecord record) {
        return new RecordMap(record);
    }

    private static final class RecordMap extends AbstractMap<String, Object> {
        private final GenericRecord record;

        RecordMap(GenericRecord record) {
            this.record = record;
        }

        @Override
        public Object get(Object key) {
            Schema.Field field = key instanceof String name ? record.getSchema().getField(name) : null;
            return field == null ? null : value(record.get(field.pos()));
        }

        @Override
        public boolean containsKey(Object key) {
            return key instanceof String name && record.getSchema().getField(name) != null;
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            Set<Entry<String, Object>> entries = new LinkedHashSet<>();
            for (Schema.Field field : record.getSchema().getFields()) {
                entries.add(new SimpleImmutableEntry<>(field.name(), value(record.get(field.pos()))));
            }
            return entries;
        }
    }

    /** What {@link #scalar} gives for a value that is not a scalar. */
    static final Object NOT_SCALAR = new Object();

    /**
     * @param avro a non-null Avro value
     * @return it as CEL sees a scalar (long, double, boolean, string), or {@link #NOT_SCALAR}
     */
    static Object scalar(Object avro) {
        if (avro instanceof Boolean || avro instanceof Long || avro instanceof Double) {
            return avro;
        }
        if (avro instanceof Integer i) {
            return i.longValue();
        }
        if (avro instanceof CharSequence || avro instanceof GenericEnumSymbol<?>) {
            return avro.toString();
        }
        if (avro instanceof Float f) {
            return f.doubleValue();
        }
        if (avro instanceof Instant instant) {
            return instant.toEpochMilli();
        }
        if (avro instanceof LocalDate date) {
            return date.toEpochDay();
        }
        if (avro instanceof BigDecimal decimal) {
            return decimal.doubleValue();
        }
        return NOT_SCALAR;
    }

    private static Object value(Object avro) {
        if (avro == null) {
            // CEL's runtime reads a Java null in a map as "unknown"; protobuf's null is CEL's null.
            return NullValue.NULL_VALUE;
        }
        Object scalar = scalar(avro);
        if (scalar != NOT_SCALAR) {
            return scalar;
        }
        if (avro instanceof ByteBuffer bytes) {
            return ByteString.copyFrom(bytes.duplicate());
        }
        if (avro instanceof GenericFixed fixed) {
            return ByteString.copyFrom(fixed.bytes());
        }
        if (avro instanceof GenericRecord record) {
            return of(record);
        }
        if (avro instanceof Collection<?> items) {
            List<Object> list = new ArrayList<>(items.size());
            items.forEach(item -> list.add(value(item)));
            return list;
        }
        if (avro instanceof Map<?, ?> map) {
            Map<String, Object> converted = new HashMap<>();
            map.forEach((k, v) -> converted.put(k.toString(), value(v)));
            return converted;
        }
        if (avro instanceof GenericContainer container) {
            throw new RecordExpression.ExpressionFailure("unsupported Avro value of type " + container.getSchema().getType());
        }
        return avro;
    }
}
