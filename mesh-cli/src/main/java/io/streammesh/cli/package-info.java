/**
 * The {@code mesh} command line (picocli): {@link io.streammesh.cli.Mesh} and one class per
 * command ({@code up}, {@code status}, {@code principal}, {@code domain}, {@code product},
 * {@code produce}, {@code catalog}, {@code access}, {@code audit}). It owns how a command finds
 * its mesh and principal (the shared options: state directory, {@code --as}/{@code --client-config},
 * catalog URL), the converters and output formats every command shares, waiting for the
 * catalog's verdict on a write ({@code VerdictOption}), and the one escaping of data text for the
 * terminal ({@code TerminalText}).
 *
 * <p>Exit codes: 0 success, 1 failure with one line on stderr, 2 a wrong command line
 * ({@code UsageError}). Lifecycle and threading: a command runs once on the main thread and
 * exits; {@code mesh up} and {@code catalog serve} keep running until a shutdown hook (Ctrl-C,
 * SIGTERM) releases them and closes what they started. Only the spinner and the demo (its
 * traffic, its watch for retired products) run threads of their own.
 */
package io.streammesh.cli;
