/**
 * The mesh's credential store: {@link io.streammesh.credentials.CredentialStore} (one line per
 * principal, salted PBKDF2 hashes, re-read when the file changes, successful checks memoised),
 * {@code PasswordHash}, and {@link io.streammesh.credentials.BasicLogin} (the login an HTTP Basic
 * header carries). The broker's PLAIN login, the registry's HTTP Basic gate and the
 * catalog's REST login all check the same file this way.
 *
 * <p>Threading: a store is safe to share; writes take a file lock and replace the file
 * atomically, reads see a snapshot. Plain Java only: registry-server puts this jar beside Quarkus.
 */
package io.streammesh.credentials;
