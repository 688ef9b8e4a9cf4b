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
 * @param allowedGroups the groups one of which a user must be in to sign in ({@code SSO_ALLOWED_GROUPS}); empty: any
 * @param allowedDomains the email domains a user's email must be of to sign in ({@code SSO_ALLOWED_DOMAINS}); empty: any
 * @param collector the OTLP/HTTP collector signed-in Claude Code's telemetry goes to ({@code OTLP_ENDPOINT});
 *     empty: it is taken and dropped
 * @param collectorHeaders what every post to the collector carries ({@code OTLP_HEADERS})
 */
public record SignIn(URI issuer, String clientId, Secret clientSecret, String scopes, Optional<Secret> sessionSecret,
                     Duration sessionTtl, List<String> userClaims, String groupsClaim,
                     Map<String, JsonObject> managedSettings, List<String> allowedGroups, List<String> allowedDomains,
                     Optional<URI> collector, Map<String, Secret> collectorHeaders) {

    public SignIn {
        userClaims = List.copyOf(userClaims);
        allowedGroups = allowedGroups.stream().map(group -> group.toLowerCase(java.util.Locale.ROOT)).toList();
        allowedDomains = allowedDomains.stream().map(domain -> domain.toLowerCase(java.util.Locale.ROOT)).toList();
        managedSettings = Collections.unmodifiableMap(new LinkedHashMap<>(managedSettings));
        collectorHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(collectorHeaders));
    }

    /** Why a user may not sign in here, when they may not: not in an allowed group, or not of an allowed email domain. */
    public Optional<String> refusal(List<String> groups, Optional<String> email) {
        if (!allowedGroups.isEmpty() && groups.stream().noneMatch(group -> allowedGroups.contains(
                group.toLowerCase(java.util.Locale.ROOT)))) {
            return Optional.of("your account is in none of the groups allowed to use this gateway");
        }
        if (!allowedDomains.isEmpty() && email.map(address -> address.substring(address.lastIndexOf('@') + 1)
                .toLowerCase(java.util.Locale.ROOT)).filter(allowedDomains::contains).isEmpty()) {
            return Optional.of("your account's email is not of a domain allowed to use this gateway");
        }
        return Optional.empty();
    }
}
