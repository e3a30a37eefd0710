package io.streammesh.cli;

/** How a command prints its data: {@code -o/--format table|json|csv} on every command that prints data. */
enum OutputFormat {
    /** Aligned columns for people. */
    table,
    /** JSON for scripts. */
    json,
    /** Comma-separated values with a header row. */
    csv
}
