package io.streammesh.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP call to the registry, seen as what it needs: to read, to write one subject's schema,
 * or the platform. Anything not recognised as a read or a subject write needs the platform, so a
 * path added by a future Apicurio is closed until someone opens it here.
 *
 * @param method the HTTP method, upper case
 * @param path the request path as sent (still percent-encoded)
 * @param artifactIdHeader the {@code X-Registry-ArtifactId} header of a create, or null
 * @param methodOverride whether the call asks to be taken as another method
 */
record RegistryCall(String method, String path, String artifactIdHeader, boolean methodOverride) {

    /** The group serdes and the mesh's client use; the ccompat API has no other. */
    static final String DEFAULT_GROUP = "default";

    private static final String V2 = "/apis/registry/v2";
    /**
     * Paths another layer may read differently (dot segments, encoded dots and slashes, a {@code ;}
     * matrix parameter, which the registry's router drops from the segment it matches): no one but
     * the platform needs them.
     */
    private static final Pattern NOT_CANONICAL = Pattern.compile("//|/\\.\\.?(/|$)|%2[fFeE]|%5[cC]|\\\\|;");
    private static final Pattern HEALTH = Pattern.compile("/health(/[a-z]+)?/?");
    private static final Pattern ADMIN = Pattern.compile(V2 + "/admin(/.*)?");
    private static final Pattern CREATE = Pattern.compile(V2 + "/groups/([^/]+)/artifacts/?");
    private static final Pattern ARTIFACT = Pattern.compile(V2 + "/groups/([^/]+)/artifacts/([^/]+)(/.*)?");
    private static final Pattern SEARCH = Pattern.compile(V2 + "/search/artifacts/?");
    private static final Pattern CCOMPAT = Pattern.compile("/apis/ccompat/v[67](/.*)");
    private static final Pattern CCOMPAT_SUBJECT = Pattern.compile("/subjects/([^/]+)(/versions)?/?");
    private static final Pattern CCOMPAT_TEST = Pattern.compile("/compatibility/subjects/[^/]+/versions(/[^/]+)?/?");

    /** What a call needs. */
    sealed interface Need {
    }

    /** Reading: any mesh principal. */
    record Read() implements Need {
    }

    /**
     * Writing the schema (content or metadata) of one subject: its owner or the platform.
     *
     * @param group the artifact group
     * @param subject the subject (artifact id)
     */
    record SubjectWrite(String group, String subject) implements Need {
    }

    /**
     * Rules, compatibility, deletes, state, admin: the platform only.
     *
     * @param what what the call does, for the refusal
     */
    record PlatformOnly(String what) implements Need {
    }

    /** @return whether the call may be made without a principal: readiness and liveness checks only */
    boolean isOpen() {
        return isRead() && HEALTH.matcher(path).matches();
    }

    /** @return what the call needs */
    Need need() {
        if (methodOverride) {
            return new PlatformOnly("a call with a method override header");
        }
        if (NOT_CANONICAL.matcher(path).find()) {
            return new PlatformOnly("a call with empty, dot or encoded path separators");
        }
        // matched as the registry's router will read it: %61dmin is admin
        Optional<String> decoded = decoded(path);
        if (decoded.isEmpty()) {
            return new PlatformOnly("a call with a malformed percent-escape");
        }
        if (ADMIN.matcher(decoded.get()).matches()) {
            return new PlatformOnly("the admin API (global rules, export, import, role mappings)");
        }
        if (isRead()) {
            return new Read();
        }
        if (method.equals("DELETE")) {
            return new PlatformOnly("a delete");
        }
        Matcher create = CREATE.matcher(path);
        if (create.matches() && method.equals("POST")) {
            return artifactIdHeader == null || artifactIdHeader.isBlank()
                    ? new PlatformOnly("an artifact without an X-Registry-ArtifactId")
                    : new SubjectWrite(decode(create.group(1)), artifactIdHeader);
        }
        Matcher artifact = ARTIFACT.matcher(path);
        if (artifact.matches()) {
            return artifactCall(decode(artifact.group(1)), decode(artifact.group(2)),
                    artifact.group(3) == null ? "" : artifact.group(3));
        }
        if (SEARCH.matcher(path).matches() && method.equals("POST")) {
            return new Read();
        }
        Matcher ccompat = CCOMPAT.matcher(path);
        if (ccompat.matches()) {
            return ccompatCall(ccompat.group(1));
        }
        return new PlatformOnly(method + " " + path);
    }

    private Need artifactCall(String group, String id, String rest) {
        String trimmed = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        boolean isPost = method.equals("POST");
        boolean isPut = method.equals("PUT");
        if ((trimmed.equals("/meta") && isPost) || (trimmed.equals("/test") && isPut)) {
            // a lookup by content and a compatibility test: neither changes anything
            return new Read();
        }
        if ((trimmed.isEmpty() && isPut) || (trimmed.equals("/versions") && isPost)
                || (trimmed.matches("(/versions/[^/]+)?/meta") && isPut)) {
            return new SubjectWrite(group, id);
        }
        if (trimmed.startsWith("/rules")) {
            return new PlatformOnly("the rules of " + id);
        }
        return new PlatformOnly(method + " " + trimmed + " of " + id);
    }

    private Need ccompatCall(String rest) {
        Matcher subject = CCOMPAT_SUBJECT.matcher(rest);
        if (subject.matches() && method.equals("POST")) {
            // POST /subjects/{s} looks a schema up; POST /subjects/{s}/versions registers one
            return subject.group(2) == null ? new Read() : new SubjectWrite(DEFAULT_GROUP, decode(subject.group(1)));
        }
        if (CCOMPAT_TEST.matcher(rest).matches() && method.equals("POST")) {
            return new Read();
        }
        if (rest.startsWith("/config") || rest.startsWith("/mode")) {
            return new PlatformOnly("compatibility config");
        }
        return new PlatformOnly(method + " " + rest);
    }

    private boolean isRead() {
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD", "OPTIONS" -> true;
            default -> false;
        };
    }

    /** Path parameters arrive percent-encoded; the registry decodes them before using them as ids. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** @return the path percent-decoded; empty if it holds a malformed escape, which another layer might read otherwise */
    private static Optional<String> decoded(String path) {
        try {
            return Optional.of(decode(path));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
