package io.streammesh.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/**
 * A view's schema, derived from the product's: the same fields, masked ones documented as such,
 * and hashed ones turned into strings (a hash is hex text whatever the field held); the fields the
 * product's contract encrypts are nullable (an erased subject's read as null). The policy-enforcer
 * registers it under {@code <view topic>-value} and writes the view with it; publishing checks a
 * new contract version's against the latest registered one, to refuse at publish time what the
 * registry would refuse later (not all of it: the enforcer derives one per writer schema).
 */
public final class ViewSchemas {

    private ViewSchemas() {
    }

    /**
     * @param product the product's schema (a record)
     * @param address the product's address, for the view schema's doc
     * @param view the view's name
     * @param masks the view's masks by field
     * @return the view's schema, nothing encrypted
     */
    public static Schema derive(Schema product, String address, String view, Map<String, Mask> masks) {
        return derive(product, address, view, masks, Set.of());
    }

    /**
     * @param product the product's schema (a record)
     * @param address the product's address, for the view schema's doc
     * @param view the view's name
     * @param masks the view's masks by field
     * @param encrypted the fields the product's contract encrypts: nullable in the view, as they
     *        read as null once their subject is erased
     * @return the view's schema
     */
    public static Schema derive(Schema product, String address, String view, Map<String, Mask> masks, Set<String> encrypted) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field field : product.getFields()) {
            Mask mask = masks.get(field.name());
            Schema masked = mask != null && mask.kind() == Mask.Kind.HASH ? hashed(field.schema()) : field.schema();
            Schema type = encrypted.contains(field.name()) ? nullable(masked) : masked;
            String doc = mask == null ? field.doc() : (field.doc() == null ? "" : field.doc() + " ") + "(masked in this view: " + mask + ")";
            Object defaultValue = type == field.schema() && field.hasDefaultValue() ? field.defaultVal()
                    : type.getType() == Schema.Type.UNION ? Schema.Field.NULL_DEFAULT_VALUE : null;
            var copy = new Schema.Field(field.name(), type, doc, defaultValue);
            field.getObjectProps().forEach(copy::addProp);
            fields.add(copy);
        }
        return Schema.createRecord(product.getName(), "View '" + view + "' of " + address + ". " + (product.getDoc() == null ? "" : product.getDoc()),
                product.getNamespace(), false, fields);
    }

    private static Schema nullable(Schema type) {
        if (type.getType() == Schema.Type.NULL
                || type.getType() == Schema.Type.UNION && type.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
            return type;
        }
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }

    private static Schema hashed(Schema original) {
        boolean nullable = original.getType() == Schema.Type.UNION
                && original.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
        Schema string = Schema.create(Schema.Type.STRING);
        return nullable ? Schema.createUnion(Schema.create(Schema.Type.NULL), string) : string;
    }
}
