package io.streammesh.connector.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;

/**
 * ODCS {@code schema[0].properties} and the product's Avro record, both ways. A property is one
 * Avro field: its {@code physicalType} is the Avro type (with its logical type), its
 * {@code logicalType} the ODCS family of that type, {@code required: false} a union with null
 * (default null). A record these cannot describe (nested records, enums, arrays, maps, decimals,
 * other unions or defaults) travels whole as the schema object's custom property
 * {@code avroSchema}, its properties then only naming the fields.
 */
final class OdcsAvro {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern AVRO_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Field attributes that ODCS describes and Avro keeps as field properties of the same name. */
    private static final List<String> KEPT_AS_AVRO_PROPS = List.of("businessName", "classification", "examples", "tags", "unique",
            "criticalDataElement");
    private static final String PII = "pii";

    /** An Avro type the mesh maps, and the ODCS logicalType family it belongs to. */
    private record AvroType(String physicalType, String logicalType, String avroType, String avroLogicalType) {
        JsonNode toJson() {
            return avroLogicalType == null ? JSON.textNode(avroType)
                    : JSON.objectNode().put("type", avroType).put("logicalType", avroLogicalType);
        }
    }

    private static final List<AvroType> TYPES = List.of(
            new AvroType("string", "string", "string", null),
            new AvroType("uuid", "string", "string", "uuid"),
            new AvroType("int", "integer", "int", null),
            new AvroType("long", "integer", "long", null),
            new AvroType("float", "number", "float", null),
            new AvroType("double", "number", "double", null),
            new AvroType("boolean", "boolean", "boolean", null),
            new AvroType("date", "date", "int", "date"),
            new AvroType("time-millis", "time", "int", "time-millis"),
            new AvroType("timestamp-millis", "timestamp", "long", "timestamp-millis"),
            new AvroType("timestamp-micros", "timestamp", "long", "timestamp-micros"));

    /** The Avro type written when a property names only its logicalType. */
    private static final Map<String, String> DEFAULT_PHYSICAL = Map.of("string", "string", "integer", "long", "number", "double",
            "boolean", "boolean", "date", "date", "time", "time-millis", "timestamp", "timestamp-millis");

    private OdcsAvro() {
    }

    /**
     * @param object the schema object, {@code schema[0]}
     * @param namespace its {@code avroNamespace} custom property, if any
     * @param avroSchema its {@code avroSchema} custom property, if any: then the schema, as written
     * @param problems where what cannot be mapped is reported
     * @return the Avro schema's JSON; null if a property cannot be mapped (the problem says why)
     */
    static String fromProperties(JsonNode object, String namespace, String avroSchema, List<ContractProblem> problems) {
        JsonNode properties = object.path("properties");
        if (avroSchema != null) {
            namesMatch(properties, avroSchema, problems);
            return avroSchema;
        }
        String at = OdcsReader.SCHEMA_NAME;
        String name = object.path("name").asText();
        if (!AVRO_NAME.matcher(name).matches()) {
            problems.add(new ContractProblem(at + ".name", "'" + name + "' is not an Avro record name (letters, digits and _, not starting "
                    + "with a digit); name the record so, or give the whole Avro schema as customProperties avroSchema"));
        }
        if (properties.isEmpty()) {
            problems.add(new ContractProblem(at + ".properties", "is required: one property per field of the records"));
        }
        ObjectNode record = JSON.objectNode().put("type", "record").put("name", name);
        if (namespace != null) {
            record.put("namespace", namespace);
        }
        if (object.has("description")) {
            record.put("doc", object.path("description").asText());
        }
        ArrayNode fields = record.putArray("fields");
        int before = problems.size();
        for (int i = 0; i < properties.size(); i++) {
            field(properties.get(i), at + ".properties[" + i + "]", problems).ifPresent(fields::add);
        }
        // no schema rather than one missing a field: rules and views would only fail on that field again
        return problems.size() == before ? record.toString() : null;
    }

    private static Optional<ObjectNode> field(JsonNode property, String at, List<ContractProblem> problems) {
        List<String> known = new ArrayList<>(List.of("name", "logicalType", "physicalType", "required", "description", "primaryKey",
                "customProperties"));
        known.addAll(KEPT_AS_AVRO_PROPS);
        property.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                problems.add(new ContractProblem(at + "." + key, "is not kept by the mesh (a property maps: " + String.join(", ", known)
                        + "); remove it, or give the whole Avro schema as customProperties avroSchema of schema[0]"));
            }
        });
        String name = property.path("name").asText();
        if (!AVRO_NAME.matcher(name).matches()) {
            problems.add(new ContractProblem(at + ".name", "'" + name + "' is not an Avro field name (letters, digits and _, not starting with a digit)"));
        }
        Optional<AvroType> type = type(property, at, problems);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode field = JSON.objectNode().put("name", name);
        if (property.path("required").asBoolean(false)) {
            field.set("type", type.get().toJson());
        } else {
            field.set("type", JSON.arrayNode().add("null").add(type.get().toJson()));
            field.putNull("default");
        }
        if (property.has("description")) {
            field.put("doc", property.path("description").asText());
        }
        for (String kept : KEPT_AS_AVRO_PROPS) {
            if (property.has(kept)) {
                field.set(kept, property.get(kept));
            }
        }
        pii(property.path("customProperties"), at + ".customProperties", problems).ifPresent(pii -> field.put(PII, pii));
        return Optional.of(field);
    }

    private static Optional<AvroType> type(JsonNode property, String at, List<ContractProblem> problems) {
        String logical = property.path("logicalType").asText(null);
        String physical = property.path("physicalType").asText(null);
        if (physical == null && logical == null) {
            problems.add(new ContractProblem(at + ".logicalType", "is required: the field's type, one of " + String.join(", ", DEFAULT_PHYSICAL.keySet())));
            return Optional.empty();
        }
        if (physical == null) {
            physical = DEFAULT_PHYSICAL.get(logical);
            if (physical == null) {
                problems.add(new ContractProblem(at + ".logicalType", "'" + logical + "' needs the whole Avro schema: give it as customProperties "
                        + "avroSchema of schema[0]"));
                return Optional.empty();
            }
        }
        String wanted = physical.toLowerCase(Locale.ROOT);
        Optional<AvroType> type = TYPES.stream().filter(t -> t.physicalType().equals(wanted)).findFirst();
        if (type.isEmpty()) {
            problems.add(new ContractProblem(at + ".physicalType", "'" + physical + "' is not an Avro type the mesh maps ("
                    + String.join(", ", TYPES.stream().map(AvroType::physicalType).toList())
                    + "); for any other, give the whole Avro schema as customProperties avroSchema of schema[0]"));
        } else if (logical != null && !logical.equals(type.get().logicalType()) && !olderDate(logical, type.get())) {
            problems.add(new ContractProblem(at + ".logicalType", "'" + logical + "' does not fit physicalType " + physical + ", which is "
                    + type.get().logicalType()));
            return Optional.empty();
        }
        return type;
    }

    /** ODCS v3.0.x has no timestamp or time logicalType: it calls them date. */
    private static boolean olderDate(String logical, AvroType type) {
        return logical.equals("date") && (type.logicalType().equals("timestamp") || type.logicalType().equals("time"));
    }

    private static Optional<Boolean> pii(JsonNode customProperties, String at, List<ContractProblem> problems) {
        Optional<Boolean> pii = Optional.empty();
        for (int i = 0; i < customProperties.size(); i++) {
            JsonNode property = customProperties.get(i);
            if (!PII.equals(property.path("property").asText()) || !property.path("value").isBoolean()) {
                problems.add(new ContractProblem(at + "[" + i + "]", "a property's one StreamMesh setting is {property: pii, value: true|false}"));
            } else {
                pii = Optional.of(property.path("value").asBoolean());
            }
        }
        return pii;
    }

    private static void namesMatch(JsonNode properties, String avroSchema, List<ContractProblem> problems) {
        Schema schema;
        try {
            schema = new Schema.Parser().parse(avroSchema);
        } catch (RuntimeException e) {
            return; // the contract's own rules report an Avro schema that does not parse, with the parser's reason
        }
        for (int i = 0; i < properties.size(); i++) {
            String name = properties.get(i).path("name").asText();
            if (schema.getType() == Schema.Type.RECORD && schema.getField(name) == null) {
                problems.add(new ContractProblem(OdcsReader.SCHEMA_NAME + ".properties[" + i + "].name",
                        "'" + name + "' is not a field of the avroSchema"));
            }
        }
    }

    /**
     * @param schema the product's Avro record
     * @param key the field keying records, if any
     * @return its ODCS properties, each field's type as far as ODCS describes it
     */
    static ArrayNode toProperties(Schema schema, String key) {
        ArrayNode properties = JSON.arrayNode();
        for (Schema.Field field : schema.getFields()) {
            ObjectNode property = properties.addObject().put("name", field.name());
            Schema type = nonNull(field.schema());
            Optional<AvroType> mapped = mapped(type);
            property.put("logicalType", mapped.map(AvroType::logicalType).orElse(family(type)));
            property.put("physicalType", mapped.map(AvroType::physicalType).orElse(type.getType().getName()));
            property.put("required", type == field.schema());
            if (field.name().equals(key)) {
                property.put("primaryKey", true);
            }
            if (field.doc() != null) {
                property.put("description", field.doc());
            }
            for (String kept : KEPT_AS_AVRO_PROPS) {
                if (field.getObjectProp(kept) != null) {
                    property.set(kept, MAPPER.valueToTree(field.getObjectProp(kept)));
                }
            }
            if (field.getObjectProp(PII) instanceof Boolean pii) {
                property.putArray("customProperties").addObject().put("property", PII).put("value", pii);
            }
        }
        return properties;
    }

    /**
     * @param object a schema object with the properties {@link #toProperties} wrote
     * @param schema the product's Avro record
     * @return whether the properties alone give back exactly that record
     */
    static boolean describes(JsonNode object, Schema schema) {
        List<ContractProblem> problems = new ArrayList<>();
        String generated = fromProperties(object, schema.getNamespace(), null, problems);
        try {
            return problems.isEmpty() && new Schema.Parser().parse(generated).toString().equals(schema.toString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION && schema.getTypes().size() == 2 && schema.getTypes().get(0).getType() == Schema.Type.NULL) {
            return schema.getTypes().get(1);
        }
        return schema;
    }

    private static Optional<AvroType> mapped(Schema type) {
        LogicalType logical = type.getLogicalType();
        String avroLogical = logical == null ? null : logical.getName();
        return TYPES.stream().filter(t -> t.avroType().equals(type.getType().getName()) && java.util.Objects.equals(t.avroLogicalType(), avroLogical))
                .findFirst();
    }

    private static String family(Schema type) {
        return switch (type.getType()) {
            case RECORD, MAP -> "object";
            case ARRAY -> "array";
            case INT, LONG -> "integer";
            case FLOAT, DOUBLE -> "number";
            case BOOLEAN -> "boolean";
            default -> "string";
        };
    }
}
