/**
 * Envelope encryption per data subject (Google Tink, AES-256-GCM): one data key (DEK) per
 * (domain, subject id), created on first use by {@link io.streammesh.keys.SubjectKeys}, wrapped by
 * the domain's key-encryption key (KEK) and kept in the compacted {@code mesh.keys.<domain>} topic
 * (key = subject id, value = {@link io.streammesh.keys.KeyEntry}). The KEK comes through Tink's
 * {@code KmsClient} seam: the embedded default is {@link io.streammesh.keys.LocalKms}, one local
 * keyset per domain in the state directory ({@code mesh-local://<domain>}); a cloud KMS
 * ({@code aws-kms://…}, {@code gcp-kms://…}) or Vault is named in an app's client config and found
 * as a {@code KmsClient} on the class path ({@link io.streammesh.keys.KekSource}), with the same
 * URI-per-domain contract. Erasing a subject replaces its key's entry with an erasure that
 * keeps only the erased key's id: every copy of its encrypted fields becomes unreadable once
 * compaction removes the wrapped key (crypto-shredding), and reads as erased, not forged, even
 * after a later record gave the subject a fresh key ({@link io.streammesh.keys.SubjectKey}). A
 * product's fields are encrypted with the subject's key for that product, derived from the data
 * key ({@link io.streammesh.keys.ProductKey}): the data key never leaves the platform, and a
 * grantee's key opens one product only.
 *
 * <p>Threading: {@code SubjectKeys} is thread-safe (one lock; its consumer is polled at most once
 * a second, by whichever thread asks); the Tink primitives it returns are thread-safe.
 */
package io.streammesh.keys;
