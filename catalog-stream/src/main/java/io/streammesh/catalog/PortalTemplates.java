package io.streammesh.catalog;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The portal's pages: JTE templates ({@code src/main/jte}) compiled to classes of this package at
 * build time, so no template compiler runs in the catalog. Every {@code ${...}} is HTML-escaped
 * by the engine (content type HTML), which is what keeps a contract's description or a purpose
 * holding {@code <script>} inert.
 */
final class PortalTemplates {

    /** Where the pages may load from: our own scripts and styles only, no framing, forms post only to us. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final TemplateEngine engine = TemplateEngine.createPrecompiled(null, ContentType.Html, null, "io.streammesh.catalog");

    /**
     * Answers with a rendered page.
     *
     * @param ctx the request
     * @param status the HTTP status
     * @param template the template's file name, e.g. {@code catalog.jte}
     * @param params the template's parameters by name
     */
    void render(Context ctx, int status, String template, Map<String, Object> params) {
        var output = new StringOutput();
        engine.render(template, params, output);
        ctx.header("Cache-Control", "no-store");
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.status(status).contentType("text/html; charset=utf-8").result(output.toString());
    }
}
