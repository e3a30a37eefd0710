package io.streammesh.schema;

/** What a mesh principal is for; decides the ACLs it gets when onboarded. */
public enum PrincipalKind {
    /** {@code User:mesh-admin}: super user, used only to bootstrap and administer. */
    ADMIN,
    /** One per platform app (catalog, enforcer, audit), least privilege. */
    PLATFORM,
    /** One per domain: owns {@code <domain>.*} topics, its registrations and decisions. */
    DOMAIN,
    /** A consumer team: no access until a grant gives it some. */
    TEAM,
    /**
     * A person who reads the audit trail, the catalog and the grants, and writes nothing: no
     * product, view, dead-letter or ingest topic, no request or decision, no schema.
     */
    AUDITOR
}
