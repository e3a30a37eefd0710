package io.streammesh.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streammesh.embedded.EmbeddedMesh;
import io.streammesh.testing.MeshTest;
import io.streammesh.client.MeshClientConfig;
import io.streammesh.schema.ProductAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@MeshTest
class FileIngestIT {

    @TempDir
    Path dir;

    @Test
    void everyLineOfAThousandEndsInTheProductTheDeadLetterTopicOrTheReport(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = publish(mesh, "ingest-jsonl");
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
        Path planted = Files.writeString(dir.resolve("someone-elses.txt"), "keep me");
        Files.createSymbolicLink(dir.resolve("rejects.jsonl"), planted);

        IngestSummary summary;
        try (var gate = ProductProducerIT.startGate(mesh);
             ProductProducer<GenericRecord> producer = batches(config, "ingest-jsonl.order-placed.v1")) {
            summary = FileIngest.ingest(file, FileIngest.Format.JSONL, producer, dir.resolve("rejects.jsonl"), done -> { });
            assertThat(ProductProducerIT.read(config, "ingest-jsonl.order-placed.v1", 960)).hasSize(960);
            assertThat(ProductProducerIT.read(config, "ingest-jsonl.order-placed.v1.dlq", 20)).hasSize(20);
        }

        assertThat(summary.lines()).isEqualTo(1000);
        assertThat(summary.deadLetteredByRule()).containsExactly(java.util.Map.entry("positive-amount", 20L));
        assertThat(summary.errors()).hasSize(20);
        assertThat(summary.errors().get(0)).isEqualTo(new IngestSummary.LineError(7, "not JSON: Unexpected character "
                + "('b' (code 98)): was expecting double-quote to start field name"));
        assertThat(summary.errors().get(1)).isEqualTo(new IngestSummary.LineError(8, "field items: expected a whole number within int range, got \"two\""));
        assertThat(summary.sent()).isEqualTo(960);
        assertThat(summary.sent() + summary.deadLettered() + summary.errors().size()).isEqualTo(1000);
        assertThat(summary.inDoubt()).isEmpty();
        assertThat(Files.readAllLines(dir.resolve("rejects.jsonl")))
                .as("the lines not sent, as they were").hasSize(20).startsWith("{broken", lines.get(7)).filteredOn("{broken"::equals).hasSize(10);
        assertThat(Files.getPosixFilePermissions(dir.resolve("rejects.jsonl"), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .as("the lines may hold personal data").isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(planted).as("a link planted where the rejects go is replaced, not written through").hasContent("keep me");
    }

    @Test
    void csvRowsAreNumberedByFileLineAndAHeaderLackingARequiredColumnSendsNothing(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = publish(mesh, "ingest-csv");
        String header = "orderId,customerId,customerEmail,shippingAddress,country,amount,currency,items,placedAt";
        Path good = Files.write(dir.resolve("orders.csv"), List.of(header,
                "c-1,c-1,a@example.com,\"1 Main, Paris\",FR,12.5,EUR,2,2026-11-25T10:00:00Z",
                "c-2,c-1,a@example.com,1 Main,FR,-1,EUR,2,1764064800000",
                "c-3,c-1,a@example.com,1 Main,FR,12.5,EUR,many,1764064800000",
                "c-4,too,short"));
        Path noAmount = Files.write(dir.resolve("no-amount.csv"), List.of(header.replace(",amount", ""),
                "c-5,c-1,a@example.com,1 Main,FR,EUR,2,1764064800000"));

        try (ProductProducer<GenericRecord> producer = batches(config, "ingest-csv.order-placed.v1")) {
            IngestSummary summary = FileIngest.ingest(good, FileIngest.Format.CSV, producer, dir.resolve("rejects.csv"), done -> { });
            assertThat(summary.lines()).isEqualTo(4);
            assertThat(summary.sent()).isEqualTo(1);
            assertThat(summary.deadLettered()).isEqualTo(1);
            assertThat(summary.errors()).extracting(IngestSummary.LineError::line).containsExactly(4L, 5L);
            assertThat(Files.readAllLines(dir.resolve("rejects.csv"))).as("the header and the row whose cells were read")
                    .containsExactly(header, "c-3,c-1,a@example.com,\"1 Main\",FR,12.5,EUR,many,1764064800000");

            assertThatThrownBy(() -> FileIngest.ingest(noAmount, FileIngest.Format.CSV, producer, dir.resolve("none.csv"), done -> { }))
                    .hasMessage(noAmount + ": the header has no column amount, which the product's schema requires; nothing was sent");
        }
    }

    @Test
    void aLineThatIsNotUtf8IsReportedAndTheLinesAfterItAreStillSent(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = publish(mesh, "ingest-utf8");
        byte[] latin1 = jsonOrder("u-2", 10.5).replace("1 Main", "1 Rue de l'\u00c9glise").getBytes(StandardCharsets.ISO_8859_1);
        Path file = dir.resolve("orders.jsonl");
        try (var out = Files.newOutputStream(file)) {
            out.write((jsonOrder("u-1", 10.5) + "\n").getBytes(StandardCharsets.UTF_8));
            out.write(latin1);
            out.write(("\n" + jsonOrder("u-3", 10.5) + "\n").getBytes(StandardCharsets.UTF_8));
        }

        IngestSummary summary;
        try (var gate = ProductProducerIT.startGate(mesh);
             ProductProducer<GenericRecord> producer = batches(config, "ingest-utf8.order-placed.v1")) {
            summary = FileIngest.ingest(file, FileIngest.Format.JSONL, producer, dir.resolve("rejects.jsonl"), done -> { });
            assertThat(ProductProducerIT.read(config, "ingest-utf8.order-placed.v1", 2)).extracting(r -> r.key())
                    .containsExactlyInAnyOrder("u-1", "u-3");
        }

        int at = new String(latin1, StandardCharsets.ISO_8859_1).indexOf('\u00c9') + 1;
        assertThat(summary.errors()).containsExactly(new IngestSummary.LineError(2,
                "not UTF-8 text: byte " + at + " (0xC9) starts no UTF-8 character"));
        assertThat(summary.sent()).isEqualTo(2);
        assertThat(Files.readAllBytes(dir.resolve("rejects.jsonl"))).as("the line as it was, bytes and all")
                .isEqualTo((new String(latin1, StandardCharsets.ISO_8859_1) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aCsvLineThatIsNotUtf8IsReportedByItsLineNumberAndTheRowsAfterItAreStillSent(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = publish(mesh, "ingest-csv-utf8");
        String header = "orderId,customerId,customerEmail,shippingAddress,country,amount,currency,items,placedAt";
        String latin1 = "n-2,c-1,a@example.com,Caf\u00e9,FR,12.5,EUR,2,1764064800000";
        Path file = dir.resolve("orders.csv");
        Files.write(file, List.of(header, "n-1,c-1,a@example.com,1 Main,FR,12.5,EUR,2,1764064800000", latin1,
                "n-3,c-1,a@example.com,1 Main,FR,12.5,EUR,2,1764064800000",
                "n-4,c-1,a@example.com,1 Main,FR,12.5,EUR,many,1764064800000"), StandardCharsets.ISO_8859_1);

        IngestSummary summary;
        try (ProductProducer<GenericRecord> producer = batches(config, "ingest-csv-utf8.order-placed.v1")) {
            summary = FileIngest.ingest(file, FileIngest.Format.CSV, producer, dir.resolve("rejects.csv"), done -> { });
        }

        assertThat(summary.lines()).isEqualTo(4);
        assertThat(summary.sent()).isEqualTo(2);
        assertThat(summary.errors()).extracting(IngestSummary.LineError::line).containsExactly(3L, 5L);
        assertThat(summary.errors().get(0).reason()).isEqualTo("not UTF-8 text: byte " + (latin1.indexOf('\u00e9') + 1)
                + " (0xE9) starts no UTF-8 character");
        assertThat(Files.readAllLines(dir.resolve("rejects.csv"), StandardCharsets.ISO_8859_1))
                .containsExactly(header, latin1, "n-4,c-1,a@example.com,\"1 Main\",FR,12.5,EUR,many,1764064800000");
    }

    @Test
    void aFileWhoseLinesAllReachTheProductLeavesNoRejectsFile(EmbeddedMesh mesh) throws Exception {
        MeshClientConfig config = publish(mesh, "ingest-clean");
        Path file = Files.write(dir.resolve("orders.jsonl"), List.of(jsonOrder("k-1", 1.5), jsonOrder("k-2", 2.5)));

        IngestSummary summary;
        try (ProductProducer<GenericRecord> producer = batches(config, "ingest-clean.order-placed.v1")) {
            summary = FileIngest.ingest(file, FileIngest.Format.JSONL, producer, dir.resolve("rejects.jsonl"), done -> { });
        }

        assertThat(summary.allSent()).isTrue();
        assertThat(dir.resolve("rejects.jsonl")).doesNotExist();
    }

    /** Publishes the orders product; the catalog admits it and the domain may write its ingest topic. */
    private static MeshClientConfig publish(EmbeddedMesh mesh, String domain) throws Exception {
        MeshClientConfig config = TestContracts.publishOrders(mesh, domain);
        GateIT.admit(mesh, config, ProductAddress.parse(domain + ".order-placed.v1"));
        return config;
    }

    static ProductProducer<GenericRecord> batches(MeshClientConfig config, String address) {
        return ProductProducer.open(ProductAddress.parse(address), config, new SimpleMeterRegistry(),
                new ProductProducer.Options(Duration.ofSeconds(30), true));
    }

    static String jsonOrder(String id, double amount) {
        return "{\"orderId\": \"" + id + "\", \"customerId\": \"c-1\", \"customerEmail\": \"a@example.com\", "
                + "\"shippingAddress\": \"1 Main\", \"country\": \"FR\", \"amount\": " + amount + ", \"currency\": \"EUR\", "
                + "\"items\": 2, \"placedAt\": \"2026-11-25T10:00:00Z\"}";
    }
}
