package io.streammesh.connector.contract;

import io.streammesh.schema.MeshException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A data contract that cannot be published. Its message has one line per problem, each
 * {@code <descriptor>: <field>: <what is wrong>}.
 */
public final class InvalidContractException extends MeshException {
    private static final long serialVersionUID = 1L;

    private final transient List<ContractProblem> problems;

    /**
     * @param source the descriptor, as named to the user
     * @param problems every broken rule
     */
    public InvalidContractException(String source, List<ContractProblem> problems) {
        super(problems.stream().map(p -> source + ": " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** @return every broken rule */
    public List<ContractProblem> problems() {
        return problems;
    }
}
