package dev.claudeproxy.config;

import jakarta.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code CLIENT_AUTH=sso}: developers sign in from Claude Code ({@code /login}, "Cloud gateway"),
 * an OAuth device flow the gateway serves and completes at the company's OpenID Connect provider;
 * the gateway then issues its own short-lived session tokens.
 *
 * @param issuer the provider's issuer ({@code SSO_ISSUER}); its discovery document says the rest
 * @param clientId the gateway's client id at the provider ({@code SSO_CLIENT_ID})
 * @param clientSecret its client secret ({@code SSO_CLIENT_SECRET})
 * @param scopes what the gateway asks the provider for ({@code SSO_SCOPES})
 * @param sessionSecret the key of the gateway's session tokens ({@code SESSION_SECRET}), the same on
 *     every node; when empty, a random one (tokens then hold on this node until it restarts)
 * @param sessionTtl how long a session token holds before Claude Code refreshes it ({@code SESSION_TTL_MINUTES})
 * @param userClaims the ID token claims that name the user, the first present wins ({@code JWT_USER_CLAIM})
 * @param groupsClaim the ID token claim holding the groups, a dotted path ({@code JWT_GROUPS_CLAIM})
 * @param managedSettings group → the Claude Code settings its users are sent, in the order they
 *     are tried; {@code *} is everyone ({@code MANAGED_SETTINGS})
 */
public record SignIn(URI issuer, String clientId, Secret clientSecret, String scopes, Optional<Secret> sessionSecret,
                     Duration sessionTtl, List<String> userClaims, String groupsClaim,
                     Map<String, JsonObject> managedSettings) {

    public SignIn {
        userClaims = List.copyOf(userClaims);
        managedSettings = Collections.unmodifiableMap(new LinkedHashMap<>(managedSettings));
    }
}
