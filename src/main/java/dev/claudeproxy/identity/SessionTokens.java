package dev.claudeproxy.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The gateway's own session tokens for {@code CLIENT_AUTH=sso}: HS256 JWTs (Nimbus JOSE+JWT)
 * naming the user, their email and groups, with a short life. A user whose refresh the identity
 * provider refuses loses every token issued before, at once, not when they expire; a revoked token
 * (Claude Code's sign-out) is refused until it would have expired. Revocations are held as long as
 * the tokens they refuse could live, and shared with the other nodes ({@link #shareWith},
 * {@link #apply}): a user the provider drops is out on every node, not only on the one that saw it.
 */
public final class SessionTokens {

    /** The audience of the gateway's session tokens, which no other token carries. */
    public static final String AUDIENCE = "claude-proxy-session";
    private static final int MAX_REVOKED = 100_000;

    private final byte[] key;
    private final Duration ttl;
    private final Clock clock;
    /** subject → the instant before which its tokens are refused. */
    private final Map<String, Instant> revokedSubjects = new ConcurrentHashMap<>();
    /** token id → when the token would have expired. */
    private final Map<String, Instant> revokedTokens = new ConcurrentHashMap<>();

    private volatile Consumer<Revocation> shared = revocation -> { };

    /** @param key at least 32 bytes */
    public SessionTokens(byte[] key, Duration ttl, Clock clock) {
        this.key = key.clone();
        this.ttl = ttl;
        this.clock = clock;
    }

    /** A token and its lifetime in seconds. */
    public record Issued(String token, long expiresIn) {
    }

    public Issued issue(String subject, Identity identity, Optional<String> email) {
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).audience(AUDIENCE)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl))).jwtID(UUID.randomUUID().toString())
                .claim("user", identity.user()).claim("groups", identity.groups());
        email.ifPresent(address -> claims.claim("email", address));
        SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims.build());
        try {
            token.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("session token signing failed", e);
        }
        return new Issued(token.serialize(), ttl.toSeconds());
    }

    /**
     * The identity of a presented session token.
     *
     * @throws ProxyException 401 {@code authentication_error}, not to be retried, saying why
     */
    public Identity verify(Optional<Secret> presented) {
        JWTClaimsSet claims = claims(presented.orElseThrow(() -> refused(
                "this gateway needs you signed in: run /login in Claude Code and choose Cloud gateway")).reveal())
                .orElseThrow(() -> refused("the session token is not one this gateway issued; sign in again with /login"));
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null || !now.isBefore(claims.getExpirationTime().toInstant())) {
            throw refused("the session has expired; sign in again with /login");
        }
        Instant revokedBefore = revokedSubjects.get(claims.getSubject());
        if (revokedBefore != null && claims.getIssueTime().toInstant().isBefore(revokedBefore)) {
            throw refused("the identity provider no longer accepts this user's session; sign in again with /login");
        }
        if (revokedTokens.containsKey(claims.getJWTID())) {
            throw refused("this session was signed out; sign in again with /login");
        }
        try {
            List<String> groups = claims.getStringListClaim("groups");
            return new Identity(claims.getStringClaim("user"), groups == null ? List.of() : groups);
        } catch (ParseException e) {
            throw refused("the session token is not one this gateway issued; sign in again with /login");
        }
    }

    /** Refuses every token issued to this subject until now: its user is gone at the identity provider. */
    public void revokeSubject(String subject) {
        Instant now = clock.instant();
        // Whole seconds, as token times are: a token issued in this very second is refused too.
        Instant before = Instant.ofEpochSecond(now.getEpochSecond() + 1);
        apply(new Revocation(Revocation.Kind.SUBJECT, subject, before, before.plus(ttl)));
        shared.accept(new Revocation(Revocation.Kind.SUBJECT, subject, before, before.plus(ttl)));
    }

    /** Where this node's revocations go for the other nodes to {@link #apply}. */
    public void shareWith(Consumer<Revocation> board) {
        this.shared = board;
    }

    /** A revocation, this node's or another's: held until no token it refuses can be alive. */
    public void apply(Revocation revocation) {
        Instant now = clock.instant();
        if (!revocation.expires().isAfter(now)) {
            return;
        }
        switch (revocation.kind()) {
            case SUBJECT -> {
                revokedSubjects.merge(revocation.key(), revocation.effective(), (held, given) -> held.isAfter(given) ? held : given);
                revokedSubjects.values().removeIf(before -> before.plus(ttl).isBefore(now));
            }
            case TOKEN -> {
                revokedTokens.values().removeIf(expiry -> expiry.isBefore(now));
                if (revokedTokens.size() < MAX_REVOKED) {
                    revokedTokens.put(revocation.key(), revocation.expires());
                }
            }
        }
    }

    /** Refuses one token of this gateway's until it would have expired (a sign-out); anything else is ignored. */
    public void revoke(String token) {
        claims(token).filter(claims -> claims.getExpirationTime() != null).ifPresent(claims -> {
            Revocation signedOut = new Revocation(Revocation.Kind.TOKEN, claims.getJWTID(), clock.instant(),
                    claims.getExpirationTime().toInstant());
            apply(signedOut);
            shared.accept(signedOut);
        });
    }

    /** The claims of a token this gateway signed, for its session audience; empty for any other. */
    private Optional<JWTClaimsSet> claims(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE) || claims.getSubject() == null
                    || claims.getIssueTime() == null || claims.getJWTID() == null) {
                return Optional.empty();
            }
            return Optional.of(claims);
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }

    private static ProxyException refused(String message) {
        return ProxyException.noRetry(401, ErrorType.AUTHENTICATION, message);
    }
}
