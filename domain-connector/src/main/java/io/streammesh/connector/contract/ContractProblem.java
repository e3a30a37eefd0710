package io.streammesh.connector.contract;

/**
 * One broken rule of a data contract.
 *
 * @param field where, as a path into the descriptor, e.g. {@code views[1].mask.email}
 * @param message what is wrong, e.g. {@code no such field in schema}
 */
public record ContractProblem(String field, String message) {

    @Override
    public String toString() {
        return field.isEmpty() ? message : field + ": " + message;
    }
}
