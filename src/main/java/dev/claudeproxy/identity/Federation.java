package dev.claudeproxy.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.claudeproxy.config.SignIn;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway as an OpenID Connect relying party of the company's identity provider (Nimbus
 * OAuth 2.0 SDK): the provider's discovery document read on first use; authorization code with
 * PKCE (S256) and a nonce; the ID token checked (signature by the provider's published keys,
 * issuer, audience, expiry, nonce); refresh through the provider, so a user it no longer accepts
 * is known at the next refresh.
 */
public final class Federation {

    private final SignIn settings;
    private final ClientSecretBasic client;
    private volatile Provider provider;

    /** The provider's endpoints and the validator of its ID tokens, read once. */
    private record Provider(OIDCProviderMetadata metadata, IDTokenValidator validator) {
    }

    /** A user the provider vouched for: who they are, their subject and email, and the provider's refresh token. */
    public record SignedIn(String subject, Identity identity, Optional<String> email, Optional<String> refreshToken) {
    }

    /** The provider refused (a refresh it no longer honours, a code it does not know): the user must sign in again. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    /** The provider could not be asked (unreachable, or an answer that is no OAuth answer). */
    public static final class Unavailable extends Exception {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Federation(SignIn settings) {
        this.settings = settings;
        this.client = new ClientSecretBasic(new ClientID(settings.clientId()),
                new com.nimbusds.oauth2.sdk.auth.Secret(settings.clientSecret().reveal()));
    }

    /** Where the browser goes to sign in at the provider. */
    public URI authorizationUri(URI redirect, String state, String nonce, String codeVerifier) throws Unavailable {
        return new AuthenticationRequest.Builder(new ResponseType(ResponseType.Value.CODE), Scope.parse(settings.scopes()),
                new ClientID(settings.clientId()), redirect)
                .endpointURI(provider().metadata().getAuthorizationEndpointURI())
                .state(new State(state)).nonce(new Nonce(nonce))
                .codeChallenge(new CodeVerifier(codeVerifier), CodeChallengeMethod.S256)
                .responseMode(ResponseMode.QUERY).build().toURI();
    }

    /** The code the provider sent the browser back with, exchanged for the user's identity. */
    public SignedIn exchange(String code, URI redirect, String codeVerifier, String nonce) throws Refused, Unavailable {
        return tokens(new AuthorizationCodeGrant(new AuthorizationCode(code), redirect, new CodeVerifier(codeVerifier)),
                new Nonce(nonce), Optional.empty());
    }

    /** A refresh through the provider: the user as it now sees them, or {@link Refused} when it no longer does. */
    public SignedIn refresh(String refreshToken) throws Refused, Unavailable {
        return tokens(new RefreshTokenGrant(new RefreshToken(refreshToken)), null, Optional.of(refreshToken));
    }

    private SignedIn tokens(AuthorizationGrant grant, Nonce nonce, Optional<String> previousRefresh)
            throws Refused, Unavailable {
        Provider known = provider();
        HTTPRequest request = new TokenRequest(known.metadata().getTokenEndpointURI(), client, grant).toHTTPRequest();
        request.setConnectTimeout(ProviderKeys.TIMEOUT_MILLIS);
        request.setReadTimeout(ProviderKeys.TIMEOUT_MILLIS);
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(request.send());
        } catch (IOException | com.nimbusds.oauth2.sdk.ParseException e) {
            throw new Unavailable("the identity provider's token endpoint could not be used: " + e.getMessage(), e);
        }
        if (!response.indicatesSuccess()) {
            ErrorObject error = response.toErrorResponse().getErrorObject();
            if (OAuth2Error.INVALID_GRANT.getCode().equals(error.getCode())) {
                throw new Refused("the identity provider refused: " + error.getCode());
            }
            throw new Unavailable("the identity provider answered " + error.getHTTPStatusCode() + " " + error.getCode(), null);
        }
        OIDCTokenResponse success = (OIDCTokenResponse) response.toSuccessResponse();
        JWT idToken = success.getOIDCTokens().getIDToken();
        if (idToken == null) {
            throw new Unavailable("the identity provider sent no ID token (is openid in " + "SSO_SCOPES?)", null);
        }
        IDTokenClaimsSet claims;
        try {
            claims = known.validator().validate(idToken, nonce);
        } catch (com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new Refused("the identity provider's ID token was refused: " + e.getMessage());
        }
        Identity identity;
        try {
            identity = Claims.identity(claims.toJWTClaimsSet().getClaims(), settings.userClaims(), settings.groupsClaim())
                    .orElseThrow(() -> new Refused("the ID token names no user (no " + String.join(", ", settings.userClaims())
                            + " claim)"));
        } catch (com.nimbusds.oauth2.sdk.ParseException e) {
            throw new Refused("the ID token's claims could not be read");
        }
        RefreshToken refresh = success.getOIDCTokens().getRefreshToken();
        return new SignedIn(claims.getSubject().getValue(), identity, Optional.ofNullable(claims.getStringClaim("email")),
                refresh != null ? Optional.of(refresh.getValue()) : previousRefresh);
    }

    private Provider provider() throws Unavailable {
        Provider known = provider;
        if (known == null) {
            synchronized (this) {
                known = provider;
                if (known == null) {
                    known = discover();
                    provider = known;
                }
            }
        }
        return known;
    }

    private Provider discover() throws Unavailable {
        try {
            Issuer issuer = new Issuer(settings.issuer());
            OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(issuer, ProviderKeys.TIMEOUT_MILLIS,
                    ProviderKeys.TIMEOUT_MILLIS);
            JWSVerificationKeySelector<SecurityContext> keys = ProviderKeys.selector(metadata.getJWKSetURI().toURL(),
                    Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256));
            return new Provider(metadata, new IDTokenValidator(issuer, new ClientID(settings.clientId()), keys, null));
        } catch (GeneralException | IOException | IllegalArgumentException e) {
            throw new Unavailable("the identity provider's discovery document at " + settings.issuer()
                    + "/.well-known/openid-configuration could not be read: " + e.getMessage(), e);
        }
    }
}
