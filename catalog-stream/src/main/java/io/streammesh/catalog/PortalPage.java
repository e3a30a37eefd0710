package io.streammesh.catalog;

import io.streammesh.schema.MeshNames;
import java.util.Map;

/**
 * What every portal page knows besides its own data: its title and place in the navigation, who
 * is signed in, the session's CSRF token its forms carry, and the request's parameters.
 *
 * @param title the page's title
 * @param nav the navigation entry it belongs to ({@code catalog}, {@code access}, {@code inbox}, {@code audit}); empty for none
 * @param principal the signed-in principal, {@code User:<name>}; empty on the sign-in page
 * @param csrfToken the session's CSRF token; empty on the sign-in page
 * @param audits whether the principal reads the audit trail (platform, admin or auditor), who sees the audit page
 * @param params the request's query parameters, to fill forms and notices
 */
record PortalPage(String title, String nav, String principal, String csrfToken, boolean audits, Map<String, String> params) {

    /**
     * @param name a query parameter
     * @return its value, empty when absent
     */
    String param(String name) {
        return params.getOrDefault(name, "");
    }

    /** @return the signed-in principal's bare name, e.g. {@code analytics}: its own consumer group; empty on the sign-in page */
    String principalName() {
        return MeshNames.withoutKafkaPrefix(principal);
    }

    /**
     * @param entry a navigation entry
     * @return {@code page} when this page belongs to it (for {@code aria-current}), else null so the attribute is left out
     */
    String current(String entry) {
        return nav.equals(entry) ? "page" : null;
    }
}
