package io.streammesh.schema;


/**
 * A principal of the mesh, known to the broker as {@code User:<name>}; its name follows the mesh's
 * one naming rule, {@link MeshNames}.
 *
 * @param name the user name, lower-case kebab case (e.g. {@code analytics}, {@code mesh-admin})
 * @param kind what the principal is for
 */
public record MeshPrincipal(String name, PrincipalKind kind) {

    /** The super user the mesh bootstraps with. */
    public static final MeshPrincipal ADMIN = new MeshPrincipal("mesh-admin", PrincipalKind.ADMIN);

    /** @throws MeshException if the name is not a valid principal name */
    public MeshPrincipal {
        checkName(name);
        if (kind == null) {
            throw new MeshException("principal '" + name + "' has no kind");
        }
    }

    /**
     * Accepts {@code analytics} or {@code User:analytics}.
     *
     * @param text a principal name, with or without the {@code User:} prefix
     * @return the bare name
     * @throws MeshException naming the bad name
     */
    public static String bareName(String text) {
        String name = MeshNames.withoutKafkaPrefix(text);
        checkName(name);
        return name;
    }

    private static void checkName(String name) {
        if (!MeshNames.isValid(name)) {
            throw new MeshException("principal name '" + name + "' must be lower-case kebab case, "
                    + "at most " + MeshNames.MAX_LENGTH + " characters (e.g. analytics or orders-team)");
        }
    }

    /** @return the Kafka principal, {@code User:<name>} */
    public String kafkaPrincipal() {
        return MeshNames.kafkaPrincipal(name);
    }
}
