package dev.claudeproxy.identity;

import com.nimbusds.jwt.JWTClaimsSet;
import java.util.Optional;

/**
 * The refresh tokens the gateway hands Claude Code: the identity provider's own, sealed with the
 * user it belongs to. So any node that gets a refresh knows whose it is (and refuses that user's
 * sessions when the provider refuses it) without keeping anything, and the provider's token never
 * leaves the gateway readable.
 */
public final class RefreshTokens {

    /** An opened refresh token: the provider's, and its user's subject. */
    public record Opened(String providerToken, String subject) {
    }

    private final Seal seal;

    public RefreshTokens(byte[] secret) {
        this.seal = new Seal(secret, "refresh tokens");
    }

    public String wrap(String providerToken, String subject) {
        return seal.close(new JWTClaimsSet.Builder().claim("rt", providerToken).subject(subject).build());
    }

    /** @return empty for a token this gateway did not hand out (or one sealed under another secret) */
    public Optional<Opened> open(String given) {
        return seal.open(given).flatMap(claims -> claims.getClaim("rt") instanceof String token && claims.getSubject() != null
                ? Optional.of(new Opened(token, claims.getSubject())) : Optional.empty());
    }
}
