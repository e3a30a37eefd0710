package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.platform.EmbeddedMesh;
import io.streammesh.platform.testing.MeshTest;
import io.streammesh.schema.ProductAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class FileIngestIT {

    @TempDir
    Path dir;

    @Test
    void everyLineOfAThousandEndsInTheProductTheDeadLetterTopicOrTheReport(EmbeddedMesh mesh) throws Exception {
        Properties config = publish(mesh, "ingest-jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            String line = jsonOrder("j-" + i, i % 50 == 0 ? -1 : 10.5);
            if (i % 100 == 7) {
                line = "{broken";
            } else if (i % 100 == 8) {
                line = line.replace("\"items\": 2", "\"items\": \"two\"");
            }
            lines.add(line);
        }
        Path file = Files.write(dir.resolve("orders.jsonl"), lines);

        IngestSummary summary;
        try (ProductProducer<GenericRecord> producer = ProductProducer.open(ProductAddress.parse("ingest-jsonl.order-placed.v1"),
                config, new SimpleMeterRegistry())) {
            summary = FileIngest.ingest(file, FileIngest.Format.JSONL, producer, done -> { });
        }

        assertThat(summary.lines()).isEqualTo(1000);
        assertThat(summary.deadLetteredByRule()).containsExactly(java.util.Map.entry("positive-amount", 20L));
        assertThat(summary.errors()).hasSize(20);
        assertThat(summary.errors().get(0)).isEqualTo(new IngestSummary.LineError(7, "not JSON: Unexpected character "
                + "('b' (code 98)): was expecting double-quote to start field name"));
        assertThat(summary.errors().get(1)).isEqualTo(new IngestSummary.LineError(8, "field items: expected a whole number within int range, got \"two\""));
        assertThat(summary.sent()).isEqualTo(960);
        assertThat(summary.sent() + summary.deadLettered() + summary.errors().size()).isEqualTo(1000);
        assertThat(ProductProducerIT.read(config, "ingest-jsonl.order-placed.v1", 960)).hasSize(960);
        assertThat(ProductProducerIT.read(config, "ingest-jsonl.order-placed.v1.dlq", 20)).hasSize(20);
    }

    @Test
    void csvRowsAreNumberedByFileLineAndAHeaderLackingARequiredColumnSendsNothing(EmbeddedMesh mesh) throws Exception {
        Properties config = publish(mesh, "ingest-csv");
        String header = "orderId,customerId,customerEmail,shippingAddress,country,amount,currency,items,placedAt";
        Path good = Files.write(dir.resolve("orders.csv"), List.of(header,
                "c-1,c-1,a@example.com,\"1 Main, Paris\",FR,12.5,EUR,2,2026-11-25T10:00:00Z",
                "c-2,c-1,a@example.com,1 Main,FR,-1,EUR,2,1764064800000",
                "c-3,c-1,a@example.com,1 Main,FR,12.5,EUR,many,1764064800000",
                "c-4,too,short"));
        Path noAmount = Files.write(dir.resolve("no-amount.csv"), List.of(header.replace(",amount", ""),
                "c-5,c-1,a@example.com,1 Main,FR,EUR,2,1764064800000"));

        try (ProductProducer<GenericRecord> producer = ProductProducer.open(ProductAddress.parse("ingest-csv.order-placed.v1"),
                config, new SimpleMeterRegistry())) {
            IngestSummary summary = FileIngest.ingest(good, FileIngest.Format.CSV, producer, done -> { });
            assertThat(summary.lines()).isEqualTo(4);
            assertThat(summary.sent()).isEqualTo(1);
            assertThat(summary.deadLettered()).isEqualTo(1);
            assertThat(summary.errors()).extracting(IngestSummary.LineError::line).containsExactly(4L, 5L);

            assertThatThrownBy(() -> FileIngest.ingest(noAmount, FileIngest.Format.CSV, producer, done -> { }))
                    .hasMessage(noAmount + ": the header has no column amount, which the product's schema requires; nothing was sent");
        }
    }

    private static Properties publish(EmbeddedMesh mesh, String domain) {
        mesh.onboarding().addDomain(domain);
        Properties config = mesh.clientConfig(domain);
        try (var publisher = ProductPublisher.connect(config)) {
            publisher.publish(TestContracts.orders(domain, "1.0.0"));
        }
        return config;
    }

    static String jsonOrder(String id, double amount) {
        return "{\"orderId\": \"" + id + "\", \"customerId\": \"c-1\", \"customerEmail\": \"a@example.com\", "
                + "\"shippingAddress\": \"1 Main\", \"country\": \"FR\", \"amount\": " + amount + ", \"currency\": \"EUR\", "
                + "\"items\": 2, \"placedAt\": \"2026-11-25T10:00:00Z\"}";
    }
}
