package io.streammesh.connector.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps an ODCS v3 document (already checked against the standard's schema) onto the mesh's
 * {@link DataContract} and Avro schema, the table in the module README. What the mesh cannot
 * keep is refused with its path and reason, so that nothing a team wrote is silently dropped.
 */
final class OdcsReader {

    /** The name the generated (or embedded) Avro schema is read under, as a contract's {@code schema:} file. */
    static final String SCHEMA_NAME = "schema[0]";

    private static final Set<String> DURATION_UNITS = Set.of("ms", "s", "m", "h", "d", "w");

    /**
     * The mapped contract, as far as it could be mapped.
     *
     * @param contract the contract in the mesh's model
     * @param avroSchema the Avro schema's JSON; null if the document gives none the mesh can read
     * @param paths where each of the model's fields was written in the document
     * @param problems what the mesh cannot map, each with its path
     */
    record Mapped(DataContract contract, String avroSchema, OdcsPaths paths, List<ContractProblem> problems) {
    }

    private final JsonNode document;
    private final OdcsPaths paths = new OdcsPaths();
    private final List<ContractProblem> problems = new ArrayList<>();

    private OdcsReader(JsonNode document) {
        this.document = document;
    }

    /**
     * @param document the ODCS document
     * @return the mapped contract, with every part the mesh cannot map
     */
    static Mapped read(JsonNode document) {
        return new OdcsReader(document).map();
    }

    private Mapped map() {
        keys(document, "", "apiVersion", "kind", "id", "name", "version", "status", "domain", "dataProduct", "description", "tags",
                "schema", "slaProperties", "roles", "team", "support", "servers", "customProperties");
        if ("retired".equalsIgnoreCase(document.path("status").asText())) {
            problem("status", "a product is published active and retired with mesh product retire, not published retired");
        }
        paths.put("domain", "domain");
        paths.put("name", "dataProduct");
        paths.put("version", "version");
        paths.put("description", "description.purpose");
        paths.put("tags", "tags");
        keys(document.path("description"), "description", "purpose");
        Map<String, JsonNode> custom = customProperties(document.path("customProperties"), "customProperties",
                "classification", "partitions", "ingestRetention", "lineage", "encryption");
        String classification = text(custom.get("classification"), "customProperties.classification");
        paths.put("classification", "customProperties.classification");
        var owner = owner();
        servers();
        JsonNode object = schemaObject();
        String key = object == null ? null : key(object);
        String avro = object == null ? null : avroSchema(object);
        List<DataContract.QualityRule> quality = object == null ? List.of() : quality(object.path("quality"));
        Sla sla = sla();
        Integer partitions = wholeNumber(custom.get("partitions"), "customProperties.partitions");
        paths.put("topic.partitions", "customProperties.partitions");
        var topic = partitions == null && sla.retention == null ? null : new DataContract.Topic(partitions, sla.retention);
        String ingestRetention = text(custom.get("ingestRetention"), "customProperties.ingestRetention");
        paths.put("ingest.retention", "customProperties.ingestRetention");
        var lineage = lineage(custom.get("lineage"));
        var contract = new DataContract(text(document.get("domain"), "domain"), text(document.get("dataProduct"), "dataProduct"),
                text(document.get("version"), "version"), owner, text(document.path("description").get("purpose"), "description.purpose"),
                classification, strings(document.get("tags"), "tags"), avro == null ? null : SCHEMA_NAME, key, topic,
                ingestRetention == null ? null : new DataContract.Ingest(ingestRetention),
                sla.freshness == null && sla.errorRate == null ? null : new DataContract.Slo(sla.freshness, sla.errorRate),
                quality, views(owner.principal()), lineage, encryption(custom.get("encryption")));
        return new Mapped(contract, avro, paths, List.copyOf(problems));
    }

    private DataContract.Owner owner() {
        JsonNode team = document.path("team");
        JsonNode members = team.isArray() ? team : team.path("members");
        if (team.isObject()) {
            keys(team, "team", "name", "members");
        }
        String principal = null;
        for (int i = 0; i < members.size(); i++) {
            String at = (team.isArray() ? "team" : "team.members") + "[" + i + "]";
            keys(members.get(i), at, "username", "role");
            if (!"owner".equals(members.get(i).path("role").asText())) {
                problem(at + ".role", "the mesh keeps the owner only: the member whose role is owner, its username the domain's principal");
            } else if (principal != null) {
                problem(at, "the mesh keeps one owner; another member already has the role owner");
            } else {
                principal = text(members.get(i).get("username"), at + ".username");
                paths.put("owner.principal", at + ".username");
            }
        }
        paths.put("owner.team", "team.name");
        paths.put("owner", "team");
        return new DataContract.Owner(text(team.get("name"), "team.name"), principal, contact());
    }

    private String contact() {
        JsonNode support = document.path("support");
        paths.put("owner.contact", "support");
        paths.reword("owner.contact", "is required: the owner's contact, {channel: owner, url: mailto:team@example.com}");
        if (support.size() > 1) {
            problem("support[1]", "the mesh keeps one contact, the owner's: {channel: owner, url: mailto:...}");
        }
        if (support.isEmpty()) {
            return null;
        }
        keys(support.get(0), "support[0]", "channel", "url");
        paths.put("owner.contact", "support[0].url");
        String url = text(support.get(0).get("url"), "support[0].url");
        return url != null && url.startsWith("mailto:") ? url.substring("mailto:".length()) : url;
    }

    private void servers() {
        JsonNode servers = document.path("servers");
        for (int i = 0; i < servers.size(); i++) {
            String at = "servers[" + i + "]";
            if (!"kafka".equals(servers.get(i).path("type").asText())) {
                problem(at + ".type", "the mesh's products are Kafka topics: only servers of type kafka, got '"
                        + servers.get(i).path("type").asText() + "'");
                continue;
            }
            keys(servers.get(i), at, "server", "type", "host", "format");
            if (servers.get(i).has("format") && !"avro".equals(servers.get(i).path("format").asText())) {
                problem(at + ".format", "the mesh's products are Avro: avro or nothing, got '" + servers.get(i).path("format").asText() + "'");
            }
        }
    }

    private JsonNode schemaObject() {
        JsonNode schema = document.path("schema");
        if (schema.size() != 1) {
            problem("schema", "the mesh maps exactly one schema object, the records of the product topic; got " + schema.size());
            return null;
        }
        JsonNode object = schema.get(0);
        keys(object, SCHEMA_NAME, "name", "physicalName", "physicalType", "logicalType", "description", "properties", "quality",
                "customProperties");
        String physicalType = object.path("physicalType").asText("topic");
        if (!physicalType.equals("topic")) {
            problem(SCHEMA_NAME + ".physicalType", "a product is a topic: topic or nothing, got '" + physicalType + "'");
        }
        String address = document.path("domain").asText() + "." + document.path("dataProduct").asText() + ".v"
                + document.path("version").asText().split("\\.")[0];
        boolean addressed = document.hasNonNull("domain") && document.hasNonNull("dataProduct");
        if (addressed && object.has("physicalName") && !object.path("physicalName").asText().equals(address)) {
            problem(SCHEMA_NAME + ".physicalName", "is the product topic, the address " + address + ", got '"
                    + object.path("physicalName").asText() + "'");
        }
        paths.put("schema", SCHEMA_NAME);
        return object;
    }

    private String avroSchema(JsonNode object) {
        String at = SCHEMA_NAME + ".customProperties";
        Map<String, JsonNode> custom = customProperties(object.path("customProperties"), at, "avroNamespace", "avroSchema");
        return OdcsAvro.fromProperties(object, text(custom.get("avroNamespace"), at + ".avroNamespace"),
                text(custom.get("avroSchema"), at + ".avroSchema"), problems);
    }

    private String key(JsonNode object) {
        JsonNode properties = object.path("properties");
        String key = null;
        for (int i = 0; i < properties.size(); i++) {
            if (properties.get(i).path("primaryKey").asBoolean(false)) {
                String at = SCHEMA_NAME + ".properties[" + i + "].primaryKey";
                if (key != null) {
                    problem(at, "the mesh keys records by one field; " + key + " is the primary key already");
                } else {
                    key = properties.get(i).path("name").asText();
                    paths.put("key", at);
                }
            }
        }
        return key;
    }

    private List<DataContract.QualityRule> quality(JsonNode checks) {
        List<DataContract.QualityRule> rules = new ArrayList<>();
        for (int i = 0; i < checks.size(); i++) {
            JsonNode check = checks.get(i);
            String at = SCHEMA_NAME + ".quality[" + i + "]";
            keys(check, at, "name", "type", "engine", "implementation");
            if (!"custom".equals(check.path("type").asText()) || !"cel".equals(check.path("engine").asText())) {
                problem(at, "the mesh runs CEL rules on each record: write {name: ..., type: custom, engine: cel, implementation: <CEL over record>}");
                continue;
            }
            paths.put("quality[" + rules.size() + "].name", at + ".name");
            paths.put("quality[" + rules.size() + "].rule", at + ".implementation");
            paths.put("quality[" + rules.size() + "]", at);
            rules.add(new DataContract.QualityRule(text(check.get("name"), at + ".name"), text(check.get("implementation"), at + ".implementation")));
        }
        return rules;
    }

    /** The SLA properties the mesh keeps, as the mesh's own duration text. */
    private static final class Sla {
        String freshness;
        String retention;
        Double errorRate;
    }

    private Sla sla() {
        var sla = new Sla();
        JsonNode properties = document.path("slaProperties");
        paths.put("slo", "slaProperties");
        paths.reword("slo", "is required: declare at least the freshness, {property: latency, value: 5, unit: m}");
        for (int i = 0; i < properties.size(); i++) {
            JsonNode property = properties.get(i);
            String at = "slaProperties[" + i + "]";
            keys(property, at, "property", "value", "unit");
            switch (property.path("property").asText()) {
                case "latency", "freshness" -> {
                    sla.freshness = duration(property, at);
                    paths.put("slo.freshness", at);
                }
                case "retention" -> {
                    sla.retention = duration(property, at);
                    paths.put("topic.retention", at);
                }
                case "errorRate" -> {
                    paths.put("slo.maxViolationRate", at + ".value");
                    if (!property.path("value").isNumber()) {
                        problem(at + ".value", "errorRate is the largest share of dead-lettered records, a number from 0 to 1");
                    } else {
                        sla.errorRate = property.path("value").asDouble();
                    }
                }
                default -> problem(at + ".property", "the mesh keeps latency (freshness), retention and errorRate; it has no '"
                        + property.path("property").asText() + "' SLO");
            }
        }
        return sla;
    }

    /** {@code {value: 5, unit: m}} or {@code {value: 5m}} as the mesh's {@code 5m}; {@code forever} as it is. */
    private String duration(JsonNode property, String at) {
        JsonNode value = property.path("value");
        if (!property.has("unit")) {
            return value.isTextual() ? value.asText() : badDuration(at + ".value", value.asText());
        }
        String unit = property.path("unit").asText();
        if (!DURATION_UNITS.contains(unit)) {
            problem(at + ".unit", "'" + unit + "' is not a unit the mesh reads: ms, s, m (minutes), h, d or w");
            return null;
        }
        return value.canConvertToLong() && value.isIntegralNumber() ? value.asLong() + unit : badDuration(at + ".value", value.asText());
    }

    private String badDuration(String at, String value) {
        problem(at, "'" + value + "' is not a duration: write {value: 5, unit: m} or {value: 5m}");
        return null;
    }

    private List<DataContract.View> views(String ownerPrincipal) {
        List<DataContract.View> views = new ArrayList<>();
        JsonNode roles = document.path("roles");
        for (int i = 0; i < roles.size(); i++) {
            JsonNode role = roles.get(i);
            String at = "roles[" + i + "]";
            keys(role, at, "role", "access", "firstLevelApprovers", "secondLevelApprovers", "customProperties");
            if (role.has("access") && !"read".equals(role.path("access").asText())) {
                problem(at + ".access", "a view is read access: read or nothing, got '" + role.path("access").asText() + "'");
            }
            Map<String, JsonNode> custom = customProperties(role.path("customProperties"), at + ".customProperties", "access", "filter", "mask");
            String access = text(custom.get("access"), at + ".customProperties.access");
            if (role.has("firstLevelApprovers")) {
                String approvers = role.path("firstLevelApprovers").asText();
                if ("auto".equals(access)) {
                    problem(at + ".firstLevelApprovers", "a view with access auto is granted without approval; remove the approvers or the access");
                } else if (ownerPrincipal != null && !approvers.equals(ownerPrincipal)) {
                    problem(at + ".firstLevelApprovers", "the first-level approver is the owner, " + ownerPrincipal + ", got '" + approvers + "'");
                }
            }
            paths.put("views[" + i + "].name", at + ".role");
            paths.put("views[" + i + "].access", at + ".customProperties.access");
            paths.put("views[" + i + "].filter", at + ".customProperties.filter");
            paths.put("views[" + i + "].mask", at + ".customProperties.mask");
            paths.put("views[" + i + "].secondLevelApprovers", at + ".secondLevelApprovers");
            paths.put("views[" + i + "]", at);
            views.add(new DataContract.View(text(role.get("role"), at + ".role"), access == null ? "owner-approval" : access,
                    text(custom.get("filter"), at + ".customProperties.filter"), mask(custom.get("mask"), at + ".customProperties.mask"),
                    text(role.get("secondLevelApprovers"), at + ".secondLevelApprovers")));
        }
        return views;
    }

    private Map<String, String> mask(JsonNode mask, String at) {
        if (mask == null) {
            return null;
        }
        if (!mask.isObject()) {
            problem(at, "expected a mapping of field names to redact, hash or truncate(n)");
            return null;
        }
        Map<String, String> masks = new LinkedHashMap<>();
        mask.properties().forEach(e -> masks.put(e.getKey(), text(e.getValue(), at + "." + e.getKey())));
        return masks;
    }

    private DataContract.Lineage lineage(JsonNode inputs) {
        paths.put("lineage.inputs", "customProperties.lineage");
        return inputs == null ? null : new DataContract.Lineage(strings(inputs, "customProperties.lineage"));
    }

    private DataContract.Encryption encryption(JsonNode encryption) {
        String at = "customProperties.encryption";
        paths.put("encryption", at);
        if (encryption == null) {
            return null;
        }
        keys(encryption, at, "subject", "fields");
        return new DataContract.Encryption(text(encryption.get("subject"), at + ".subject"), strings(encryption.get("fields"), at + ".fields"));
    }

    /** Custom properties by name; one the mesh does not know is refused. */
    private Map<String, JsonNode> customProperties(JsonNode list, String at, String... known) {
        Map<String, JsonNode> properties = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String name = list.get(i).path("property").asText();
            keys(list.get(i), at + "[" + i + "]", "property", "value");
            if (!List.of(known).contains(name)) {
                problem(at + "[" + i + "].property", "'" + name + "' is not a StreamMesh setting here (known: " + String.join(", ", known) + ")");
            } else if (properties.put(name, list.get(i).path("value")) != null) {
                problem(at + "[" + i + "].property", "'" + name + "' is set twice");
            }
        }
        return properties;
    }

    /** Every key of an object must be one the mesh maps: what it would drop is refused instead. */
    private void keys(JsonNode node, String at, String... known) {
        if (!node.isObject()) {
            return;
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!List.of(known).contains(name)) {
                problem((at.isEmpty() ? "" : at + ".") + name, "is not kept by the mesh (it maps: " + String.join(", ", known)
                        + "); remove it or see the ODCS mapping in the domain-connector README");
            }
        });
    }

    private String text(JsonNode node, String at) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode() || node.isBinary()) {
            problem(at, "expected a text value");
            return null;
        }
        return node.asText();
    }

    private Integer wholeNumber(JsonNode node, String at) {
        if (node == null) {
            return null;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            problem(at, "expected a whole number, got " + node);
            return null;
        }
        return node.asInt();
    }

    private List<String> strings(JsonNode node, String at) {
        if (node == null) {
            return null;
        }
        if (!node.isArray()) {
            problem(at, "expected a list");
            return null;
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            strings.add(text(node.get(i), at + "[" + i + "]"));
        }
        return strings;
    }

    private void problem(String field, String message) {
        problems.add(new ContractProblem(field, message));
    }
}
