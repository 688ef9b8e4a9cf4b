package dev.claudeproxy.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code CLIENT_AUTH=jwt}: a client shows a token its company's identity provider signed (an access
 * or ID token, as Claude Code's {@code apiKeyHelper} returns it), checked against the provider's
 * published keys.
 *
 * @param issuer the provider's issuer ({@code JWT_ISSUER}): a token must name it as {@code iss}
 * @param audiences what a token's {@code aud} must hold one of ({@code JWT_AUDIENCE})
 * @param jwksUrl where the provider publishes its keys ({@code JWT_JWKS_URL}); when empty, read
 *     from the issuer's OpenID discovery document
 * @param algorithms the signature algorithms taken ({@code JWT_ALGORITHMS}), asymmetric only
 * @param userClaims the claims that name the user, the first present wins ({@code JWT_USER_CLAIM})
 * @param groupsClaim the claim holding the user's groups, a dotted path for nested ones
 *     ({@code JWT_GROUPS_CLAIM}; Keycloak's realm roles are {@code realm_access.roles})
 * @param clockSkew how far past its expiry, or before its start, a token is still taken
 */
public record JwtAuth(URI issuer, List<String> audiences, Optional<URI> jwksUrl, Set<String> algorithms,
                      List<String> userClaims, String groupsClaim, Duration clockSkew) {

    /** Signature algorithms a provider's public keys verify: no shared secrets, never {@code none}. */
    public static final Set<String> ASYMMETRIC = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512", "EdDSA");

    public JwtAuth {
        audiences = List.copyOf(audiences);
        algorithms = Set.copyOf(algorithms);
        userClaims = List.copyOf(userClaims);
    }
}
