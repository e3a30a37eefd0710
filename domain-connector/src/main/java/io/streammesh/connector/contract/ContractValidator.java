package io.streammesh.connector.contract;

import io.streammesh.schema.Classification;
import io.streammesh.schema.EncryptedFields;
import io.streammesh.schema.Mask;
import io.streammesh.schema.MeshNames;
import io.streammesh.schema.MeshTopics;
import io.streammesh.schema.ProductAddress;
import io.streammesh.schema.ViewAccess;
import io.streammesh.schema.cel.RecordExpression;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/** Checks a {@link DataContract} and resolves it into a {@link ProductContract}, reporting every problem at once. */
final class ContractValidator {

    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})");

    private final DataContract contract;
    private final List<ContractProblem> problems = new ArrayList<>();

    private ContractValidator(DataContract contract) {
        this.contract = contract;
    }

    static ProductContract validate(DataContract contract, String descriptor, String source, SchemaSource schemas) {
        return new ContractValidator(contract).run(descriptor, source, schemas);
    }

    private ProductContract run(String descriptor, String source, SchemaSource schemas) {
        ProductAddress address = address();
        owner();
        required("description", contract.description());
        classification();
        Schema schema = schema(schemas);
        List<String> pii = schema == null ? List.of() : piiFields(schema);
        if (schema != null && contract.key() != null) {
            key(schema);
        }
        topic();
        ingest();
        Optional<Duration> freshness = slo();
        List<ProductContract.Rule> rules = schema == null ? List.of() : qualityRules(schema);
        List<ProductContract.View> views = schema == null ? List.of() : views(schema);
        List<ProductAddress> inputs = lineage();
        if (schema != null && contract.encryption() != null) {
            encryption(schema, contract.encryption());
        }
        if (!problems.isEmpty()) {
            throw new InvalidContractException(source, problems);
        }
        Optional<Duration> retention = retention();
        return new ProductContract(address, contract, schema, pii, retention, freshness, rules, views, inputs, descriptor);
    }

    private ProductAddress address() {
        boolean named = name("domain", contract.domain()) & name("name", contract.name());
        Integer major = null;
        if (required("version", contract.version())) {
            var m = SEMVER.matcher(contract.version());
            if (!m.matches()) {
                problem("version", "'" + contract.version() + "' is not major.minor.patch (e.g. 1.2.0)");
            } else if (Integer.parseInt(m.group(1)) < 1) {
                problem("version", "major version must be 1 or more (it is the address's v<major>), got " + contract.version());
            } else {
                major = Integer.parseInt(m.group(1));
            }
        }
        return named && major != null ? new ProductAddress(contract.domain(), contract.name(), major) : null;
    }

    private boolean name(String field, String value) {
        if (!required(field, value)) {
            return false;
        }
        try {
            ProductAddress.checkName(field.equals("name") ? "product" : field, value);
            return true;
        } catch (IllegalArgumentException e) {
            problem(field, e.getMessage());
            return false;
        }
    }

    private void owner() {
        var owner = contract.owner();
        if (owner == null) {
            problem("owner", "is required: {team: ..., principal: " + MeshNames.kafkaPrincipal(domainOrPlaceholder()) + ", contact: ...}");
            return;
        }
        required("owner.team", owner.team());
        required("owner.contact", owner.contact());
        if (owner.principal() != null) {
            if (!MeshNames.isKafkaPrincipal(owner.principal())) {
                problem("owner.principal", "'" + owner.principal() + "' is not a mesh principal (User:<name>)");
            } else if (contract.domain() != null && !owner.principal().equals(MeshNames.kafkaPrincipal(contract.domain()))) {
                problem("owner.principal", "must be the domain's principal " + MeshNames.kafkaPrincipal(contract.domain())
                        + " (it alone writes the domain's registrations and access decisions), got " + owner.principal());
            }
        }
    }

    private String domainOrPlaceholder() {
        return contract.domain() == null ? "<domain>" : contract.domain();
    }

    private void classification() {
        if (required("classification", contract.classification()) && Classification.of(contract.classification()).isEmpty()) {
            problem("classification", "'" + contract.classification() + "' is not one of " + Classification.labels());
        }
    }

    private Schema schema(SchemaSource schemas) {
        if (!required("schema", contract.schema())) {
            return null;
        }
        String text;
        try {
            text = schemas.read(contract.schema());
        } catch (NoSuchFileException e) {
            problem("schema", "file " + e.getFile() + " does not exist");
            return null;
        } catch (IOException e) {
            problem("schema", "cannot read " + contract.schema() + ": " + e.getMessage());
            return null;
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(text);
        } catch (SchemaParseException e) {
            problem("schema", contract.schema() + " is not a valid Avro schema: " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            problem("schema", contract.schema() + " is not a valid Avro schema: " + e.getMessage());
            return null;
        }
        if (schema.getType() != Schema.Type.RECORD) {
            problem("schema", contract.schema() + " must define a record, not a " + schema.getType().getName());
            return null;
        }
        return schema;
    }

    private static List<String> piiFields(Schema schema) {
        return schema.getFields().stream().filter(f -> Boolean.TRUE.equals(f.getObjectProp("pii"))).map(Schema.Field::name).toList();
    }

    private void key(Schema schema) {
        Schema.Field field = schema.getField(contract.key());
        if (field == null) {
            problem("key", "no such field in schema: '" + contract.key() + "' (fields: " + fieldNames(schema) + ")");
        } else if (!Set.of(Schema.Type.STRING, Schema.Type.INT, Schema.Type.LONG, Schema.Type.ENUM).contains(field.schema().getType())) {
            problem("key", "field '" + contract.key() + "' is " + field.schema().getType().getName()
                    + "; a key must be a non-null string, enum, int or long");
        }
    }

    private void topic() {
        var topic = contract.topic();
        if (topic == null) {
            return;
        }
        if (topic.partitions() != null && (topic.partitions() < 1 || topic.partitions() > MeshTopics.MAX_PARTITIONS)) {
            problem("topic.partitions", "must be between 1 and " + MeshTopics.MAX_PARTITIONS + ", got " + topic.partitions());
        }
        if (topic.retention() != null && !topic.retention().equalsIgnoreCase("forever")) {
            duration("topic.retention", topic.retention());
        }
    }

    private void ingest() {
        if (contract.ingest() != null && contract.ingest().retention() != null) {
            duration("ingest.retention", contract.ingest().retention());
        }
    }

    private Optional<Duration> retention() {
        var topic = contract.topic();
        if (topic == null || topic.retention() == null) {
            return Optional.of(ProductContract.DEFAULT_RETENTION);
        }
        return topic.retention().equalsIgnoreCase("forever") ? Optional.empty() : Optional.of(DurationText.parse(topic.retention()));
    }

    private Optional<Duration> slo() {
        var slo = contract.slo();
        if (slo == null) {
            problem("slo", "is required: declare at least {freshness: 5m, maxViolationRate: 0.01}");
            return Optional.empty();
        }
        Optional<Duration> freshness = Optional.empty();
        if (required("slo.freshness", slo.freshness())) {
            freshness = duration("slo.freshness", slo.freshness());
        }
        if (slo.maxViolationRate() != null && (slo.maxViolationRate() < 0 || slo.maxViolationRate() > 1)) {
            problem("slo.maxViolationRate", "must be between 0 and 1, got " + slo.maxViolationRate());
        }
        return freshness;
    }

    private Optional<Duration> duration(String field, String text) {
        try {
            return Optional.of(DurationText.parse(text));
        } catch (IllegalArgumentException e) {
            problem(field, e.getMessage());
            return Optional.empty();
        }
    }

    private List<ProductContract.Rule> qualityRules(Schema schema) {
        List<ProductContract.Rule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < contract.quality().size(); i++) {
            var rule = contract.quality().get(i);
            String at = "quality[" + i + "]";
            if (rule == null) {
                problem(at, "is empty; write {name: ..., rule: ...}");
                continue;
            }
            boolean named = name(at + ".name", rule.name());
            if (named && !names.add(rule.name())) {
                problem(at + ".name", "'" + rule.name() + "' is used by another rule");
            }
            Optional<RecordExpression> compiled = expression(at + ".rule", rule.rule(), schema, true);
            if (named && compiled.isPresent()) {
                rules.add(new ProductContract.Rule(rule.name(), compiled.get()));
            }
        }
        return rules;
    }

    private List<ProductContract.View> views(Schema schema) {
        List<ProductContract.View> views = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < contract.views().size(); i++) {
            var view = contract.views().get(i);
            String at = "views[" + i + "]";
            if (view == null) {
                problem(at, "is empty; write {name: ..., access: ...}");
                continue;
            }
            boolean named = name(at + ".name", view.name());
            if (named && !names.add(view.name())) {
                problem(at + ".name", "'" + view.name() + "' is used by another view");
            }
            ViewAccess access = access(at + ".access", view.access());
            Optional<RecordExpression> filter = expression(at + ".filter", view.filter(), schema, false);
            Map<String, Mask> masks = new LinkedHashMap<>();
            view.mask().forEach((field, text) -> mask(at + ".mask." + field, schema, field, text).ifPresent(m -> masks.put(field, m)));
            List<String> approvers = approvers(at + ".secondLevelApprovers", view.secondLevelApprovers(), access);
            if (named) {
                views.add(new ProductContract.View(view.name(), access, filter, masks, approvers));
            }
        }
        return views;
    }

    /** The second-level approvers: principals other than the owner, on a view the owner approves. */
    private List<String> approvers(String field, String text, ViewAccess access) {
        if (text == null) {
            return List.of();
        }
        List<String> approvers = new ArrayList<>();
        for (String approver : text.split(",", -1)) {
            String principal = approver.strip();
            if (!MeshNames.isKafkaPrincipal(principal)) {
                problem(field, "'" + principal + "' is not a mesh principal (User:<name>); write them comma-separated");
            } else if (contract.domain() != null && principal.equals(MeshNames.kafkaPrincipal(contract.domain()))) {
                problem(field, principal + " owns the product and gives the first approval; a second-level approver is another principal");
            } else if (!approvers.contains(principal)) {
                approvers.add(principal);
            }
        }
        if (access == ViewAccess.AUTO) {
            problem(field, "an access: auto view is granted at once; second-level approvers need access: owner-approval");
        }
        return List.copyOf(approvers);
    }

    private ViewAccess access(String field, String text) {
        if (text == null || text.equals("owner-approval")) {
            return ViewAccess.OWNER_APPROVAL;
        }
        if (text.equals("auto")) {
            return ViewAccess.AUTO;
        }
        problem(field, "'" + text + "' is not auto or owner-approval");
        return ViewAccess.OWNER_APPROVAL;
    }

    private Optional<Mask> mask(String at, Schema schema, String field, String text) {
        Schema.Field target = schema.getField(field);
        if (target == null) {
            problem(at, "no such field in schema (fields: " + fieldNames(schema) + ")");
            return Optional.empty();
        }
        Mask mask;
        try {
            mask = Mask.parse(text);
        } catch (IllegalArgumentException e) {
            problem(at, e.getMessage());
            return Optional.empty();
        }
        if (mask.kind() == Mask.Kind.TRUNCATE && !isString(target.schema())) {
            problem(at, "truncate applies to string fields; '" + field + "' is " + target.schema().getType().getName());
            return Optional.empty();
        }
        if (mask.kind() == Mask.Kind.ENCRYPTED && (contract.encryption() == null || !contract.encryption().fields().contains(field))) {
            problem(at, "encrypted passes the product's ciphertext through; '" + field + "' is not listed in encryption.fields");
            return Optional.empty();
        }
        return Optional.of(mask);
    }

    private static boolean isString(Schema schema) {
        return schema.getType() == Schema.Type.STRING || (schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().allMatch(s -> s.getType() == Schema.Type.STRING || s.getType() == Schema.Type.NULL));
    }

    private Optional<RecordExpression> expression(String field, String text, Schema schema, boolean isRequired) {
        if (text == null) {
            if (isRequired) {
                problem(field, "is required: a CEL expression over record, e.g. record.amount > 0");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(RecordExpression.compile(text, schema));
        } catch (RecordExpression.OverBudgetException e) {
            problem(field, "CEL is over the evaluation budget: " + e.getMessage());
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            problem(field, "CEL does not compile: " + e.getMessage());
            return Optional.empty();
        }
    }

    private List<ProductAddress> lineage() {
        List<ProductAddress> inputs = new ArrayList<>();
        if (contract.lineage() == null) {
            return inputs;
        }
        for (int i = 0; i < contract.lineage().inputs().size(); i++) {
            try {
                inputs.add(ProductAddress.parse(contract.lineage().inputs().get(i)));
            } catch (IllegalArgumentException e) {
                problem("lineage.inputs[" + i + "]", e.getMessage());
            }
        }
        return inputs;
    }

    /** The subject names a field; each encrypted field exists, is a string or bytes (nullable or not) and is listed once. */
    private void encryption(Schema schema, DataContract.Encryption encryption) {
        if (required("encryption.subject", encryption.subject()) && schema.getField(encryption.subject()) == null) {
            problem("encryption.subject", "no such field in schema: '" + encryption.subject() + "' (fields: " + fieldNames(schema) + ")");
        }
        if (encryption.fields().isEmpty()) {
            problem("encryption.fields", "is required: the string or bytes fields to encrypt, e.g. [customerEmail]");
        }
        Set<String> listed = new HashSet<>();
        for (int i = 0; i < encryption.fields().size(); i++) {
            String at = "encryption.fields[" + i + "]";
            String field = encryption.fields().get(i);
            Schema.Field target = field == null ? null : schema.getField(field);
            if (target == null) {
                problem(at, "no such field in schema: '" + field + "' (fields: " + fieldNames(schema) + ")");
            } else if (!EncryptedFields.encryptable(target.schema())) {
                problem(at, "field '" + field + "' is " + target.schema().getType().getName()
                        + "; only string or bytes fields (or nullable ones) can be encrypted");
            } else if (!listed.add(field)) {
                problem(at, "'" + field + "' is listed twice");
            } else if (field.equals(encryption.subject())) {
                problem(at, "'" + field + "' is the subject field: the subject names whose key encrypts the record and stays readable");
            }
        }
    }

    private boolean required(String field, String value) {
        if (value == null || value.isBlank()) {
            problem(field, "is required");
            return false;
        }
        return true;
    }

    private void problem(String field, String message) {
        problems.add(new ContractProblem(field, message));
    }

    private static String fieldNames(Schema schema) {
        return String.join(", ", schema.getFields().stream().map(Schema.Field::name).toList());
    }
}
