package io.streammesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.streammesh.client.CatalogClient;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The rejections catalog-stream shows of one subject (a product address or a request id), as far as
 * the caller may see them: a command notes them before it writes, and a rejection it has not seen
 * before is the verdict on what it wrote.
 *
 * @param subject the product address or request id
 * @param seen the rejections shown before the write
 */
record CatalogRejections(String subject, Set<JsonNode> seen) {

    /**
     * @param api the catalog API, as the writer
     * @param subject a product address or request id
     * @return its rejections as shown now
     */
    static CatalogRejections before(CatalogClient api, String subject) {
        return new CatalogRejections(subject, shown(api, subject));
    }

    /**
     * @param subject a product address or request id
     * @return none noted: any rejection shown counts as the verdict (for a write that changed nothing)
     */
    static CatalogRejections none(String subject) {
        return new CatalogRejections(subject, Set.of());
    }

    /**
     * @param api the catalog API, as the writer
     * @return a rejection of the subject not shown before, if any
     */
    Optional<JsonNode> newOne(CatalogClient api) {
        return newOne(shown(api));
    }

    /**
     * @param now the subject's rejections as shown now
     * @return one of them not shown before, if any
     */
    Optional<JsonNode> newOne(Set<JsonNode> now) {
        return now.stream().filter(r -> !seen.contains(r)).findFirst();
    }

    /**
     * @param api the catalog API, as the writer
     * @return the subject's rejections as shown now (catalog-stream keeps the latest; admitting the subject clears it)
     */
    Set<JsonNode> shown(CatalogClient api) {
        return shown(api, subject);
    }

    /**
     * Prints every reason of a rejection, one line each, naming its rule.
     *
     * @param err standard error
     * @param what what was rejected, e.g. "the APPROVED decision on request r-1"
     * @param rejection the rejection as the catalog API shows it
     */
    static void print(PrintWriter err, String what, JsonNode rejection) {
        rejection.path("reasons").forEach(r -> TerminalText.printf(err, "mesh: catalog-stream rejected %s (%s): %s%n", what,
                r.path("rule").asText(), r.path("message").asText()));
        err.flush();
    }

    private static Set<JsonNode> shown(CatalogClient api, String subject) {
        Set<JsonNode> found = new HashSet<>();
        api.get("/api/rejections?subject=" + URLEncoder.encode(subject, StandardCharsets.UTF_8)).path("rejections").forEach(found::add);
        return found;
    }
}
