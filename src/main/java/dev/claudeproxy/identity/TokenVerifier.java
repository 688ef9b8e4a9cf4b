package dev.claudeproxy.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jose.util.ResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.claudeproxy.config.JwtAuth;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the tokens of {@code CLIENT_AUTH=jwt} with Nimbus JOSE+JWT: signature by one of the
 * provider's keys under an allowed algorithm, type, issuer, audience, expiry and start within the
 * clock skew. The keys are fetched on first use (from {@code JWT_JWKS_URL}, or the URL the issuer's
 * discovery document names), cached, and fetched again when a token names a key the cache lacks,
 * so a provider's key rotation needs nothing from the operator.
 */
public final class TokenVerifier {

    private final JwtAuth auth;
    private final ResourceRetriever retriever = ProviderKeys.retriever();
    /** Built on first use, so a gateway starts while its provider is unreachable; then kept. */
    private volatile ConfigurableJWTProcessor<SecurityContext> processor;

    public TokenVerifier(JwtAuth auth) {
        this.auth = auth;
    }

    /**
     * The identity a presented token carries.
     *
     * @throws ProxyException 401 {@code authentication_error} (not to be retried) for a missing or
     *     refused token, saying why; 502 {@code api_error} when the provider's keys cannot be had
     */
    public Identity verify(Optional<Secret> presented) {
        if (presented.isEmpty()) {
            throw refused("this gateway needs a token from the company's identity provider, as Authorization: Bearer"
                    + " (Claude Code: an apiKeyHelper that prints one)");
        }
        JWTClaimsSet claims;
        try {
            if (!(JWTParser.parse(presented.get().reveal()) instanceof SignedJWT signed)) {
                throw refused("the token is not signed (its alg is none, or it is encrypted)");
            }
            claims = processor().process(signed, null);
        } catch (RateLimitReachedException e) {
            // The token names a key the cached set lacks, and the set was fetched again only just now.
            throw refused("the token was refused: it is signed by a key the identity provider does not publish");
        } catch (KeySourceException e) {
            throw new ProxyException(502, ErrorType.API, "the identity provider's keys could not be fetched from "
                    + jwksUrlForMessage() + ": " + e.getMessage(), Map.of());
        } catch (ParseException e) {
            throw refused("the token is not a signed JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw refused("the token was refused: " + e.getMessage());
        }
        return Claims.identity(claims.getClaims(), auth.userClaims(), auth.groupsClaim()).orElseThrow(() ->
                refused("the token names no user (no " + String.join(", ", auth.userClaims()) + " claim)"));
    }

    private ConfigurableJWTProcessor<SecurityContext> processor() throws KeySourceException {
        ConfigurableJWTProcessor<SecurityContext> built = processor;
        if (built == null) {
            synchronized (this) {
                built = processor;
                if (built == null) {
                    built = build();
                    processor = built;
                }
            }
        }
        return built;
    }

    private ConfigurableJWTProcessor<SecurityContext> build() throws KeySourceException {
        DefaultJWTProcessor<SecurityContext> built = new DefaultJWTProcessor<>();
        // Providers type their tokens "JWT", RFC 9068's "at+jwt", or not at all.
        built.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
        Set<JWSAlgorithm> algorithms = auth.algorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toSet());
        built.setJWSKeySelector(ProviderKeys.selector(jwksUrl(), algorithms));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(new HashSet<>(auth.audiences()),
                new JWTClaimsSet.Builder().issuer(auth.issuer().toString()).build(), Set.of("sub", "exp"), null);
        claims.setMaxClockSkew((int) auth.clockSkew().toSeconds());
        built.setJWTClaimsSetVerifier(claims);
        return built;
    }

    /** The configured key set URL, else the one the issuer's OpenID discovery document names. */
    private URL jwksUrl() throws KeySourceException {
        if (auth.jwksUrl().isPresent()) {
            return url(auth.jwksUrl().get());
        }
        String issuer = auth.issuer().toString();
        URI discovery = URI.create((issuer.endsWith("/") ? issuer : issuer + "/") + ".well-known/openid-configuration");
        try {
            Map<String, Object> document = JSONObjectUtils.parse(retriever.retrieveResource(url(discovery)).getContent());
            if (!issuer.equals(document.get("issuer"))) {
                throw new KeySourceException(discovery + " names the issuer " + document.get("issuer") + ", not " + issuer);
            }
            if (!(document.get("jwks_uri") instanceof String jwks)) {
                throw new KeySourceException(discovery + " names no jwks_uri");
            }
            return url(URI.create(jwks));
        } catch (IOException | ParseException | IllegalArgumentException e) {
            throw new KeySourceException("the discovery document " + discovery + " could not be read: " + e.getMessage(), e);
        }
    }

    private String jwksUrlForMessage() {
        return auth.jwksUrl().map(URI::toString).orElse("the issuer's discovery document");
    }

    private static URL url(URI uri) throws KeySourceException {
        try {
            return uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new KeySourceException(uri + " is not a URL", e);
        }
    }

    private static ProxyException refused(String message) {
        return ProxyException.noRetry(401, ErrorType.AUTHENTICATION, message);
    }
}
