package dev.claudeproxy.identity;

import java.time.Instant;

/**
 * A refusal of sessions, as nodes share it: every token of a subject issued before
 * {@code effective} (the provider dropped them), or one token (a sign-out), until {@code expires},
 * when no token it refuses can still be alive.
 *
 * @param key the subject, or the token's id
 */
public record Revocation(Kind kind, String key, Instant effective, Instant expires) {

    public enum Kind { SUBJECT, TOKEN }
}
