package io.streammesh.schema.cel;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/** CEL types of Avro schemas: a record becomes a struct type whose fields the checker knows. */
final class AvroCelTypes {

    private AvroCelTypes() {
    }

    static StructType of(Schema record) {
        if (record.getType() != Schema.Type.RECORD) {
            throw new RecordExpression.InvalidExpressionException("schema " + record.getFullName() + " is not a record");
        }
        return structs(record).get(record.getFullName());
    }

    static CelTypeProvider provider(Schema record) {
        Map<String, StructType> structs = structs(record);
        return new CelTypeProvider() {
            @Override
            public ImmutableCollection<CelType> types() {
                return ImmutableList.copyOf(structs.values());
            }

            @Override
            public Optional<CelType> findType(String name) {
                return Optional.ofNullable(structs.get(name));
            }
        };
    }

    /** Every record type reachable from {@code record}, by full name. */
    private static Map<String, StructType> structs(Schema record) {
        Map<String, StructType> structs = new LinkedHashMap<>();
        collect(record, structs);
        return structs;
    }

    private static void collect(Schema schema, Map<String, StructType> structs) {
        switch (schema.getType()) {
            case RECORD -> {
                if (structs.containsKey(schema.getFullName())) {
                    return;
                }
                Map<String, CelType> fields = new LinkedHashMap<>();
                for (Schema.Field field : schema.getFields()) {
                    fields.put(field.name(), type(field.schema()));
                }
                structs.put(schema.getFullName(), StructType.create(schema.getFullName(),
                        ImmutableSet.copyOf(fields.keySet()), name -> Optional.ofNullable(fields.get(name))));
                schema.getFields().forEach(field -> collect(field.schema(), structs));
            }
            case ARRAY -> collect(schema.getElementType(), structs);
            case MAP -> collect(schema.getValueType(), structs);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, structs));
            default -> {
                // primitives have no struct type
            }
        }
    }

    static CelType type(Schema schema) {
        if (schema.getLogicalType() instanceof LogicalTypes.Decimal) {
            return SimpleType.DOUBLE;
        }
        return switch (schema.getType()) {
            case STRING, ENUM -> SimpleType.STRING;
            case INT, LONG -> SimpleType.INT;
            case FLOAT, DOUBLE -> SimpleType.DOUBLE;
            case BOOLEAN -> SimpleType.BOOL;
            case BYTES, FIXED -> SimpleType.BYTES;
            case NULL, UNION -> SimpleType.DYN;
            case ARRAY -> ListType.create(type(schema.getElementType()));
            case MAP -> MapType.create(SimpleType.STRING, type(schema.getValueType()));
            case RECORD -> dev.cel.common.types.StructTypeReference.create(schema.getFullName());
        };
    }
}
