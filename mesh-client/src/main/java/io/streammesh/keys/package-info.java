/**
 * Envelope encryption per data subject (Google Tink, AES-256-GCM): one data key (DEK) per
 * (domain, subject id), created on first use by {@link io.streammesh.keys.SubjectKeys}, wrapped by
 * the domain's key-encryption key (KEK) and kept in the compacted {@code mesh.keys.<domain>} topic
 * (key = subject id, value = {@link io.streammesh.keys.WrappedKey}). The KEK comes through Tink's
 * {@code KmsClient} seam: the embedded default is {@link io.streammesh.keys.LocalKms}, one local
 * keyset per domain in the state directory ({@code mesh-local://<domain>}); a cloud KMS
 * ({@code aws-kms://…}, {@code gcp-kms://…}) or Vault plugs in as another {@code KmsClient} with
 * the same URI-per-domain contract. Erasing a subject writes a tombstone for its key: every copy
 * of its encrypted fields becomes unreadable once compaction removes the wrapped key
 * (crypto-shredding).
 *
 * <p>Threading: {@code SubjectKeys} is thread-safe (one lock; its consumer is polled at most once
 * a second, by whichever thread asks); the Tink primitives it returns are thread-safe.
 */
package io.streammesh.keys;
