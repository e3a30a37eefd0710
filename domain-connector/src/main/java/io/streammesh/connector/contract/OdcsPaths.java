package io.streammesh.connector.contract;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each field of the mesh's contract model came from in an ODCS document, so that a
 * problem the mesh's own rules find names the path the team wrote, e.g. {@code views[1].mask.email}
 * as {@code roles[1].customProperties.mask.email}.
 */
final class OdcsPaths {

    private final Map<String, String> odcsByModel = new LinkedHashMap<>();
    private final Map<String, String> requiredByModel = new LinkedHashMap<>();

    void put(String modelPath, String odcsPath) {
        odcsByModel.put(modelPath, odcsPath);
    }

    /** A missing model field is reported with this message, which says what to write in ODCS terms. */
    void reword(String modelPath, String required) {
        requiredByModel.put(modelPath, required);
    }

    /** @return the problem with its path in the ODCS document: the longest model path it starts with, replaced */
    ContractProblem translate(ContractProblem problem) {
        String field = problem.field();
        String best = null;
        for (String model : odcsByModel.keySet()) {
            boolean within = field.equals(model) || field.startsWith(model + ".") || field.startsWith(model + "[");
            if (within && (best == null || model.length() > best.length())) {
                best = model;
            }
        }
        String message = problem.message().startsWith("is required") ? requiredByModel.getOrDefault(field, problem.message()) : problem.message();
        return best == null ? problem : new ContractProblem(odcsByModel.get(best) + field.substring(best.length()), message);
    }
}
