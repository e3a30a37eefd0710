package io.streammesh.connector.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/** Writes a validated contract as an ODCS v3.1.0 document, the inverse of {@link OdcsReader} (the table in the module README). */
final class OdcsWriter {

    /** The ODCS version the mesh writes. */
    static final String API_VERSION = "v3.1.0";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

    private OdcsWriter() {
    }

    static ObjectNode write(ProductContract product, String kafkaHost, boolean retired) {
        DataContract contract = product.contract();
        ObjectNode document = JSON.objectNode()
                .put("apiVersion", API_VERSION)
                .put("kind", "DataContract")
                .put("id", product.address().toString())
                .put("name", contract.name())
                .put("version", contract.version())
                .put("status", retired ? "retired" : "active")
                .put("domain", contract.domain())
                .put("dataProduct", contract.name());
        document.putObject("description").put("purpose", contract.description());
        if (!contract.tags().isEmpty()) {
            contract.tags().forEach(document.putArray("tags")::add);
        }
        document.putArray("schema").add(schemaObject(product));
        ArrayNode sla = slaProperties(contract);
        if (!sla.isEmpty()) {
            document.set("slaProperties", sla);
        }
        if (!contract.views().isEmpty()) {
            ArrayNode roles = document.putArray("roles");
            contract.views().forEach(view -> roles.add(role(view, product.ownerPrincipal())));
        }
        document.set("team", team(contract.owner()));
        if (contract.owner().contact() != null) {
            String contact = contract.owner().contact();
            boolean email = contact.contains("@") && !contact.contains(":");
            document.putArray("support").addObject().put("channel", "owner").put("url", email ? "mailto:" + contact : contact);
        }
        document.putArray("servers").addObject().put("server", "streammesh").put("type", "kafka").put("host", kafkaHost).put("format", "avro");
        document.set("customProperties", customProperties(contract));
        return document;
    }

    private static ObjectNode schemaObject(ProductContract product) {
        Schema avro = product.schema();
        ObjectNode object = JSON.objectNode()
                .put("name", avro.getName())
                .put("physicalName", product.address().toString())
                .put("physicalType", "topic")
                .put("logicalType", "object");
        if (avro.getDoc() != null) {
            object.put("description", avro.getDoc());
        }
        object.set("properties", OdcsAvro.toProperties(avro, product.contract().key()));
        if (!product.contract().quality().isEmpty()) {
            ArrayNode quality = object.putArray("quality");
            product.contract().quality().forEach(rule -> quality.addObject().put("name", rule.name()).put("type", "custom")
                    .put("engine", "cel").put("implementation", rule.rule()));
        }
        ArrayNode custom = JSON.arrayNode();
        if (avro.getNamespace() != null) {
            custom.add(property("avroNamespace", JSON.textNode(avro.getNamespace())));
        }
        if (!OdcsAvro.describes(object, avro)) {
            custom.add(property("avroSchema", JSON.textNode(avro.toString())));
        }
        if (!custom.isEmpty()) {
            object.set("customProperties", custom);
        }
        return object;
    }

    private static ArrayNode slaProperties(DataContract contract) {
        ArrayNode sla = JSON.arrayNode();
        if (contract.slo() != null && contract.slo().freshness() != null) {
            sla.add(duration("latency", contract.slo().freshness()));
        }
        if (contract.topic() != null && contract.topic().retention() != null) {
            sla.add(duration("retention", contract.topic().retention()));
        }
        if (contract.slo() != null && contract.slo().maxViolationRate() != null) {
            sla.addObject().put("property", "errorRate").put("value", contract.slo().maxViolationRate());
        }
        return sla;
    }

    private static ObjectNode duration(String property, String text) {
        var m = SHORT_DURATION.matcher(text);
        ObjectNode node = JSON.objectNode().put("property", property);
        return m.matches() ? node.put("value", Long.parseLong(m.group(1))).put("unit", m.group(2)) : node.put("value", text);
    }

    private static ObjectNode role(DataContract.View view, String ownerPrincipal) {
        ObjectNode role = JSON.objectNode().put("role", view.name()).put("access", "read");
        boolean auto = "auto".equals(view.access());
        if (!auto) {
            role.put("firstLevelApprovers", ownerPrincipal);
        }
        if (view.secondLevelApprovers() != null) {
            role.put("secondLevelApprovers", view.secondLevelApprovers());
        }
        ArrayNode custom = JSON.arrayNode();
        if (auto) {
            custom.add(property("access", JSON.textNode("auto")));
        }
        if (view.filter() != null) {
            custom.add(property("filter", JSON.textNode(view.filter())));
        }
        if (!view.mask().isEmpty()) {
            ObjectNode mask = JSON.objectNode();
            view.mask().forEach(mask::put);
            custom.add(property("mask", mask));
        }
        if (!custom.isEmpty()) {
            role.set("customProperties", custom);
        }
        return role;
    }

    private static ObjectNode team(DataContract.Owner owner) {
        ObjectNode team = JSON.objectNode().put("name", owner.team());
        if (owner.principal() != null) {
            team.putArray("members").addObject().put("username", owner.principal()).put("role", "owner");
        }
        return team;
    }

    private static ArrayNode customProperties(DataContract contract) {
        ArrayNode custom = JSON.arrayNode();
        custom.add(property("classification", JSON.textNode(contract.classification())));
        if (contract.topic() != null && contract.topic().partitions() != null) {
            custom.add(property("partitions", JSON.numberNode(contract.topic().partitions())));
        }
        if (contract.ingest() != null && contract.ingest().retention() != null) {
            custom.add(property("ingestRetention", JSON.textNode(contract.ingest().retention())));
        }
        if (contract.lineage() != null) {
            ArrayNode inputs = JSON.arrayNode();
            contract.lineage().inputs().forEach(inputs::add);
            custom.add(property("lineage", inputs));
        }
        if (contract.encryption() != null) {
            ObjectNode encryption = JSON.objectNode().put("subject", contract.encryption().subject());
            contract.encryption().fields().forEach(encryption.putArray("fields")::add);
            custom.add(property("encryption", encryption));
        }
        return custom;
    }

    private static ObjectNode property(String name, JsonNode value) {
        ObjectNode property = JSON.objectNode().put("property", name);
        property.set("value", value);
        return property;
    }
}
