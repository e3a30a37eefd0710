package io.streammesh.connector;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import io.streammesh.schema.MeshException;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ProductRegistration;
import java.io.IOException;
import java.util.Optional;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;

/**
 * A product's registration as the catalog admitted it, read from the catalog's REST API
 * ({@code /api/products/{address}}, its {@code contract} field): one HTTP request, where the
 * domain's registrations topic takes a Kafka consumer and the registry's serde to read. The
 * contract gate judges records by the catalog's copy too, so a producer checking against it
 * reaches the gate's verdicts.
 */
public final class CatalogRegistration {

    private static final RecordParser PARSER = new RecordParser(ProductRegistration.getClassSchema());
    private static final BinaryMessageEncoder<GenericRecord> ENCODER =
            new BinaryMessageEncoder<>(GenericData.get(), ProductRegistration.getClassSchema());

    private CatalogRegistration() {
    }

    /**
     * @param catalog the catalog API, as any principal (the catalog is open to every principal to read)
     * @param address a product
     * @return its registration, or empty if the catalog has no such product (never published, or rejected)
     * @throws MeshException if the catalog does not answer, or answers with a registration this
     *         client cannot read (a field it does not know: a newer catalog)
     */
    public static Optional<ProductRegistration> find(CatalogClient catalog, ProductAddress address) {
        return catalog.find("/api/products/" + address).map(product -> registration(address, product.path("contract")));
    }

    /**
     * The catalog writes a registration as plain JSON (Avro's field names, no union wrappers,
     * times as ISO-8601 text): the same form {@code mesh produce} reads records in, so the same
     * parser reads it back.
     */
    static ProductRegistration registration(ProductAddress address, JsonNode contract) {
        try {
            return ProductRegistration.fromByteBuffer(ENCODER.encode(PARSER.fromJson(contract)));
        } catch (RecordParser.RecordParseException | IOException e) {
            throw new MeshException("the catalog's registration of " + address + " cannot be read by this client ("
                    + e.getMessage() + "); is the mesh newer than the CLI?", e);
        }
    }
}
