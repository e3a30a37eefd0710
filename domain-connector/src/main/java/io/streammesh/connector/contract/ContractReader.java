package io.streammesh.connector.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.util.stream.Collectors;

/** Reads descriptor YAML into a {@link DataContract}; unknown keys and wrong types are errors naming their path. */
final class ContractReader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ContractReader() {
    }

    static DataContract parse(String yaml, String source) {
        if (yaml.isBlank()) {
            throw invalid(source, "", "the descriptor is empty");
        }
        try {
            DataContract contract = YAML.readValue(yaml, DataContract.class);
            if (contract == null) {
                throw new InvalidContractException(source, List.of(new ContractProblem("", "the descriptor is empty")));
            }
            return contract;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw invalid(source, path(e), "unknown key (known here: " + known + ")");
        } catch (MismatchedInputException e) {
            String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw invalid(source, path(e), "expected " + expected + " (" + location(e) + ")");
        } catch (JsonMappingException e) {
            // a syntax error met while filling a list or a mapping arrives wrapped in a mapping error
            MarkedYAMLException marked = marked(e);
            if (marked != null) {
                throw notValidYaml(source, marked);
            }
            throw invalid(source, path(e), firstLine(e.getOriginalMessage()) + " (" + location(e) + ")");
        } catch (JsonProcessingException e) {
            MarkedYAMLException marked = marked(e);
            if (marked != null) {
                throw notValidYaml(source, marked);
            }
            throw invalid(source, "", "not valid YAML: " + firstLine(e.getOriginalMessage()) + " (" + location(e) + ")");
        }
    }

    /** @return the YAML parser's own error with its mark, if that is what went wrong; else null */
    private static MarkedYAMLException marked(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                return marked;
            }
        }
        return null;
    }

    /** One line: the parser's own message quotes the offending lines with a caret under them. */
    private static InvalidContractException notValidYaml(String source, MarkedYAMLException marked) {
        return invalid(source, "", "not valid YAML: " + firstLine(marked.getProblem()) + " (line "
                + (marked.getProblemMark().getLine() + 1) + ", column " + (marked.getProblemMark().getColumn() + 1) + ")");
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.strip().lines().findFirst().orElse("");
    }

    private static InvalidContractException invalid(String source, String field, String message) {
        return new InvalidContractException(source, List.of(new ContractProblem(field, message)));
    }

    private static String path(JsonMappingException e) {
        var path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String location(JsonProcessingException e) {
        var at = e.getLocation();
        return at == null ? "position unknown" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a text value";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (java.util.Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys to values";
        }
        return type.getSimpleName();
    }
}
