package io.streammesh.client;

import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.SchemaParser;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

/**
 * Apicurio's Avro serializer, with the parsed form of each record schema made once: Apicurio
 * walks the schema and prints it as JSON for every record it writes, to find its id by content,
 * which cost more than writing the record. The text of a schema object never changes, so the
 * parsed form is kept per schema object (by identity: Avro's equality ignores docs and aliases,
 * which the registered text keeps; at most {@link CachingAvroDatumProvider#MAX_CACHED}), and the
 * registry lookups, registrations and id handling stay Apicurio's.
 *
 * @param <T> the records' type
 */
public final class MeshAvroSerializer<T> extends AvroKafkaSerializer<T> {

    private SchemaParser<Schema, T> parser;

    @Override
    public SchemaParser<Schema, T> schemaParser() {
        if (parser == null) {
            parser = new ParsedOnce<>(super.schemaParser());
        }
        return parser;
    }

    /** A schema object, equal only to itself. */
    private record SchemaObject(Schema schema) {
        @Override
        public boolean equals(Object other) {
            return other instanceof SchemaObject that && that.schema == schema;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(schema);
        }
    }

    /** A schema parser that parses each schema of the data once. */
    private static final class ParsedOnce<U> implements SchemaParser<Schema, U> {

        private final SchemaParser<Schema, U> parser;
        private final Map<SchemaObject, ParsedSchema<Schema>> parsed = new ConcurrentHashMap<>();
        private final Map<SchemaObject, ParsedSchema<Schema>> dereferenced = new ConcurrentHashMap<>();

        ParsedOnce(SchemaParser<Schema, U> parser) {
            this.parser = parser;
        }

        @Override
        public String artifactType() {
            return parser.artifactType();
        }

        @Override
        public Schema parseSchema(byte[] rawSchema, Map<String, ParsedSchema<Schema>> resolvedReferences) {
            return parser.parseSchema(rawSchema, resolvedReferences);
        }

        @Override
        public ParsedSchema<Schema> getSchemaFromData(Record<U> data) {
            return once(parsed, data, () -> parser.getSchemaFromData(data));
        }

        @Override
        public ParsedSchema<Schema> getSchemaFromData(Record<U> data, boolean dereference) {
            return once(dereference ? dereferenced : parsed, data, () -> parser.getSchemaFromData(data, dereference));
        }

        @Override
        public boolean supportsExtractSchemaFromData() {
            return parser.supportsExtractSchemaFromData();
        }

        @Override
        public boolean supportsGetSchemaFromLocation() {
            return parser.supportsGetSchemaFromLocation();
        }

        @Override
        public ParsedSchema<Schema> getSchemaFromLocation(String location) {
            return parser.getSchemaFromLocation(location);
        }

        /** Records and enums carry their schema; anything else (a primitive) is parsed as Apicurio does. */
        private static <U> ParsedSchema<Schema> once(Map<SchemaObject, ParsedSchema<Schema>> cache, Record<U> data,
                                                     Supplier<ParsedSchema<Schema>> parse) {
            if (!(data.payload() instanceof GenericContainer container)) {
                return parse.get();
            }
            return CachingAvroDatumProvider.cached(cache, new SchemaObject(container.getSchema()), parse);
        }
    }
}
