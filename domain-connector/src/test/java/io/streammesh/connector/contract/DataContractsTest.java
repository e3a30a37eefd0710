package io.streammesh.connector.contract;

import io.streammesh.schema.Mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streammesh.schema.ClassificationLevel;
import io.streammesh.schema.ViewAccess;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataContractsTest {

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final String ORDER_SCHEMA = read(EXAMPLES.resolve("orders/order-placed.avsc"));

    private static final String VALID = """
            domain: orders
            name: order-placed
            version: 1.2.0
            owner: {team: orders-team, principal: "User:orders", contact: orders@example.com}
            description: Every order.
            classification: confidential
            schema: order-placed.avsc
            key: orderId
            topic: {partitions: 6, retention: 30d}
            slo: {freshness: 5m, maxViolationRate: 0.01}
            quality:
              - {name: positive-amount, rule: "record.amount > 0"}
            views:
              - {name: full}
              - name: analytics
                filter: "record.country != 'DE'"
                mask: {customerEmail: hash, shippingAddress: redact}
                access: auto
            """;

    @Test
    void theDemoContractsAreValid() {
        var orders = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"));
        var customers = DataContracts.load(EXAMPLES.resolve("customers/customer-profile.yaml"));

        assertThat(orders.address()).hasToString("orders.order-placed.v1");
        assertThat(orders.piiFields()).containsExactly("customerEmail", "shippingAddress");
        assertThat(orders.qualityRules()).extracting(ProductContract.Rule::name)
                .containsExactly("positive-amount", "known-currency", "has-items");
        assertThat(customers.address()).hasToString("customers.customer-profile.v1");
        assertThat(customers.retention()).isEmpty();
    }

    @Test
    void aValidContractResolvesAddressViewsAndDurations() {
        var contract = parse(VALID);

        assertThat(contract.address()).hasToString("orders.order-placed.v1");
        assertThat(contract.partitions()).isEqualTo(6);
        assertThat(contract.retention()).contains(Duration.ofDays(30));
        assertThat(contract.freshness()).contains(Duration.ofMinutes(5));
        assertThat(contract.views()).extracting(ProductContract.View::access)
                .containsExactly(ViewAccess.OWNER_APPROVAL, ViewAccess.AUTO);
        assertThat(contract.views().get(1).masks()).containsEntry("customerEmail", new Mask(Mask.Kind.HASH, 0));
        assertThat(contract.views().get(1).filter()).isPresent();
    }

    @Test
    void aRegistrationCarriesTheClassificationAsTheEnumAndAsTheLabelForOlderReaders() {
        var registration = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"))
                .toRegistration("User:orders", 1, 1L, Instant.parse("2026-12-01T00:00:00Z"));

        assertThat(registration.getClassificationLevel()).isEqualTo(ClassificationLevel.CONFIDENTIAL);
        assertThat(registration.getClassification()).isEqualTo("confidential");
    }

    @Test
    void theIngestTopicKeepsRawRecordsOneDayUnlessTheContractSaysOtherwise() {
        assertThat(parse(VALID).ingestRetentionMs()).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(parse(VALID + "ingest: {retention: 2h}\n").ingestRetentionMs()).isEqualTo(Duration.ofHours(2).toMillis());
        assertThatThrownBy(() -> parse(VALID + "ingest: {retention: soon}\n"))
                .hasMessage("orders/order-placed.yaml: ingest.retention: 'soon' is not a duration; write e.g. 30s, 5m, 12h, 30d or 2w");
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThatThrownBy(() -> parse("domain: orders\nname: \"unclosed\n"))
                .isInstanceOf(InvalidContractException.class)
                .hasMessageStartingWith("orders/order-placed.yaml: not valid YAML: ")
                .hasMessageContaining("line 3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "an unclosed quote           | domain: orders\\nname: \"unclosed\\n                 | line 3, column 1",
            "a tab for indentation       | domain: orders\\nowner:\\n\\tteam: x\\n               | line 3, column 1",
            "an unclosed flow sequence   | domain: orders\\ntags: [a, b\\nname: x\\n             | line 3, column 5",
            "a key at the wrong level    | domain: orders\\n  name: x\\n                      | line 2, column 7",
            "a mapping inside a scalar   | domain: orders: x\\n                               | line 1, column 15"})
    void aYamlSyntaxErrorIsOneLineWithItsLineAndColumn(String what, String yaml, String where) {
        assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n").replace("\\t", "\t")))
                .isInstanceOf(InvalidContractException.class)
                .hasMessageStartingWith("orders/order-placed.yaml: not valid YAML: ")
                .hasMessageEndingWith("(" + where + ")")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() {
        assertThatThrownBy(() -> parse(VALID.replace("access: auto", "access: auto\n    colour: blue")))
                .hasMessageStartingWith("orders/order-placed.yaml: views[1].colour: unknown key (known here: access, filter, mask, name, secondLevelApprovers)");
    }

    @Test
    void aWrongTypeIsNamedWithItsPath() {
        assertThatThrownBy(() -> parse(VALID.replace("partitions: 6", "partitions: many")))
                .hasMessageStartingWith("orders/order-placed.yaml: topic.partitions: expected a whole number");
    }

    @Test
    void everyBrokenRuleIsReportedOnItsOwnLine() {
        String broken = VALID.replace("owner: {team: orders-team, principal: \"User:orders\", contact: orders@example.com}\n", "")
                .replace("name: order-placed", "name: Order_Placed")
                .replace("classification: confidential", "classification: secret")
                .replace("record.amount > 0", "record.amout > 0")
                .replace("customerEmail: hash", "email: hash")
                .replace("retention: 30d", "retention: a month");

        assertThatThrownBy(() -> parse(broken))
                .isInstanceOfSatisfying(InvalidContractException.class, e -> assertThat(e.problems()).hasSize(6))
                .hasMessage(String.join("\n",
                        "orders/order-placed.yaml: name: product name 'Order_Placed' must be lower-case kebab case "
                                + "(a letter, then letters, digits and single hyphens, e.g. order-placed)",
                        "orders/order-placed.yaml: owner: is required: {team: ..., principal: User:orders, contact: ...}",
                        "orders/order-placed.yaml: classification: 'secret' is not one of public, internal, confidential, restricted",
                        "orders/order-placed.yaml: topic.retention: 'a month' is not a duration; write e.g. 30s, 5m, 12h, 30d or 2w",
                        "orders/order-placed.yaml: quality[0].rule: CEL does not compile: line 1, column 7: undefined field 'amout'",
                        "orders/order-placed.yaml: views[1].mask.email: no such field in schema (fields: orderId, customerId, "
                                + "customerEmail, shippingAddress, country, amount, currency, items, placedAt)"));
    }

    @Test
    void aMissingOrInvalidSchemaIsNamed() {
        assertThatThrownBy(() -> DataContracts.parse(VALID, "c.yaml", name -> {
            throw new NoSuchFileException("/somewhere/" + name);
        })).hasMessage("c.yaml: schema: file /somewhere/order-placed.avsc does not exist");
        assertThatThrownBy(() -> DataContracts.parse(VALID, "c.yaml", name -> "{\"type\": \"record\", \"name\": \"X\"}"))
                .hasMessageStartingWith("c.yaml: schema: order-placed.avsc is not a valid Avro schema: ");
        assertThatThrownBy(() -> DataContracts.parse(VALID, "c.yaml", name -> "\"string\""))
                .hasMessage("c.yaml: schema: order-placed.avsc must define a record, not a string");
    }

    @Test
    void theVersionsMajorMustBeOneOrMoreAndTheOwnerTheDomain() {
        assertThatThrownBy(() -> parse(VALID.replace("version: 1.2.0", "version: 0.9.0")
                        .replace("principal: \"User:orders\"", "principal: \"User:customers\"")))
                .hasMessage("orders/order-placed.yaml: version: major version must be 1 or more (it is the address's v<major>), got 0.9.0\n"
                        + "orders/order-placed.yaml: owner.principal: must be the domain's principal User:orders (it alone "
                        + "writes the domain's registrations and access decisions), got User:customers");
    }

    @Test
    void aKeyMustBeAScalarFieldOfTheSchema() {
        assertThatThrownBy(() -> parse(VALID.replace("key: orderId", "key: order")))
                .hasMessageStartingWith("orders/order-placed.yaml: key: no such field in schema: 'order'");
        assertThatThrownBy(() -> parse(VALID.replace("key: orderId", "key: amount")))
                .hasMessage("orders/order-placed.yaml: key: field 'amount' is double; a key must be a non-null string, enum, int or long");
    }

    @Test
    void aRuleOrFilterOverTheCelEvaluationBudgetIsRefusedNamingTheLimit() {
        String list = IntStream.range(0, 300).mapToObj(Integer::toString)
                .collect(Collectors.joining(", ", "[", "]"));
        String cubic = list + ".all(a, " + list + ".all(b, " + list + ".all(c, a + b + c >= 0)))";
        String square = list + ".all(a, " + list + ".all(b, a + b + record.items >= 0))";

        assertThatThrownBy(() -> parse(VALID.replace("record.amount > 0", square).replace("record.country != 'DE'", cubic)))
                .hasMessage("orders/order-placed.yaml: quality[0].rule: CEL is over the evaluation budget: may iterate 90300 times "
                        + "per record (its literal ranges multiplied through their nesting); at most 10000 may be\n"
                        + "orders/order-placed.yaml: views[1].filter: CEL is over the evaluation budget: comprehensions "
                        + "(all, exists, exists_one, map, filter) are nested 3 deep; at most 2 may be");
    }

    @Test
    void secondLevelApproversAreOtherPrincipalsOnAViewTheOwnerApproves() {
        var contract = parse(VALID.replace("  - {name: full}", "  - {name: full, secondLevelApprovers: \"User:security, User:legal, User:security\"}"));
        assertThat(contract.views().get(0).secondLevelApprovers()).containsExactly("User:security", "User:legal");
        assertThat(contract.toRegistration("User:orders", 1, 1L, java.time.Instant.EPOCH).getViews().get(0).getSecondLevelApprovers())
                .containsExactly("User:security", "User:legal");

        assertThatThrownBy(() -> parse(VALID.replace("  - {name: full}", "  - {name: full, secondLevelApprovers: \"User:orders\"}")
                .replace("    access: auto", "    access: auto\n    secondLevelApprovers: User:legal")))
                .hasMessage("orders/order-placed.yaml: views[0].secondLevelApprovers: User:orders owns the product and gives the first "
                        + "approval; a second-level approver is another principal\n"
                        + "orders/order-placed.yaml: views[1].secondLevelApprovers: an access: auto view is granted at once; second-level "
                        + "approvers need access: owner-approval");
    }

    @Test
    void aRuleWhoseComprehensionBodyConcatenatesIsRefusedBeforeItCanFillTheHeap() {
        String concatenating = "record.customerEmail.size() > 0 && [1, 2, 3].all(a, size(record.shippingAddress + record.shippingAddress) > 0)";

        assertThatThrownBy(() -> parse(VALID.replace("record.amount > 0", concatenating)))
                .hasMessage("orders/order-placed.yaml: quality[0].rule: CEL is over the evaluation budget: + on strings, bytes, lists "
                        + "or values of unknown type is not allowed inside a comprehension body (all, exists, exists_one, map, filter): "
                        + "only logic, ordering, arithmetic, == on scalars, size, has, field selection, indexing and 'in' over a list literal are");
    }

    @Test
    void theDemoContractsEncryptTheirPiiPerCustomer() {
        var orders = DataContracts.load(EXAMPLES.resolve("orders/order-placed.yaml"));

        assertThat(orders.toRegistration("User:orders", 1, 1L, java.time.Instant.EPOCH).getEncryption())
                .isEqualTo(new io.streammesh.schema.ProductEncryption("customerId", java.util.List.of("customerEmail", "shippingAddress")));
    }

    @Test
    void encryptedFieldsMustBeStringOrBytesFieldsOfTheSchemaAndTheSubjectAField() {
        assertThatThrownBy(() -> parse(VALID + "encryption: {subject: customer, fields: [customerEmail, amount, email, customerEmail]}\n"))
                .hasMessage("orders/order-placed.yaml: encryption.subject: no such field in schema: 'customer' (fields: "
                        + "orderId, customerId, customerEmail, shippingAddress, country, amount, currency, items, placedAt)\n"
                        + "orders/order-placed.yaml: encryption.fields[1]: field 'amount' is double; only string or bytes fields "
                        + "(or nullable ones) can be encrypted\n"
                        + "orders/order-placed.yaml: encryption.fields[2]: no such field in schema: 'email' (fields: "
                        + "orderId, customerId, customerEmail, shippingAddress, country, amount, currency, items, placedAt)\n"
                        + "orders/order-placed.yaml: encryption.fields[3]: 'customerEmail' is listed twice");
        assertThatThrownBy(() -> parse(VALID + "encryption: {subject: customerId, fields: []}\n"))
                .hasMessage("orders/order-placed.yaml: encryption.fields: is required: the string or bytes fields to encrypt, e.g. [customerEmail]");
        assertThatThrownBy(() -> parse(VALID + "encryption: {subject: customerId, fields: [customerId]}\n"))
                .hasMessage("orders/order-placed.yaml: encryption.fields[0]: 'customerId' is the subject field: the subject names "
                        + "whose key encrypts the record and stays readable");
    }

    @Test
    void anEncryptedMaskPassesOnlyAFieldTheContractEncrypts() {
        String encrypted = VALID.replace("mask: {customerEmail: hash, shippingAddress: redact}",
                "mask: {customerEmail: encrypted, shippingAddress: encrypted}");

        var contract = parse(encrypted + "encryption: {subject: customerId, fields: [customerEmail, shippingAddress]}\n");
        assertThat(contract.views().get(1).masks()).containsEntry("customerEmail", new Mask(Mask.Kind.ENCRYPTED, 0));
        assertThatThrownBy(() -> parse(encrypted + "encryption: {subject: customerId, fields: [customerEmail]}\n"))
                .hasMessage("orders/order-placed.yaml: views[1].mask.shippingAddress: encrypted passes the product's ciphertext through; "
                        + "'shippingAddress' is not listed in encryption.fields");
    }

    @Test
    void aNullableStringFieldCanBeEncrypted() {
        String schema = ORDER_SCHEMA.replace("{\"name\": \"shippingAddress\", \"type\": \"string\"",
                "{\"name\": \"shippingAddress\", \"type\": [\"null\", \"string\"], \"default\": null");
        var contract = DataContracts.parse(VALID + "encryption: {subject: customerId, fields: [shippingAddress]}\n",
                "orders/order-placed.yaml", name -> schema);

        assertThat(contract.contract().encryption().fields()).containsExactly("shippingAddress");
    }

    @Test
    void anEmptyDescriptorIsRefused() {
        assertThatThrownBy(() -> parse("")).hasMessage("orders/order-placed.yaml: the descriptor is empty");
    }

    private static ProductContract parse(String yaml) {
        return DataContracts.parse(yaml, "orders/order-placed.yaml", name -> ORDER_SCHEMA);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
