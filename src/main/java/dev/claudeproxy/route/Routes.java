package dev.claudeproxy.route;

import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.config.Origin;
import dev.claudeproxy.config.Secret;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.Tier;
import dev.claudeproxy.config.TierRoute;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Chooses where a request goes, and with which key.
 *
 * <ol>
 *   <li>A Haiku model goes to the Haiku route when one is configured (Claude Code's background requests);
 *   <li>else the upstream named in the path, when there is one, with the path's model for a Claude
 *       model name (what Anthropic clients send) and any other model name as it is (a fast model
 *       set in Claude Code's {@code ANTHROPIC_DEFAULT_HAIKU_MODEL}, say);
 *   <li>else the configured route of the model's family (Sonnet, Opus, Haiku), else the default route;
 *   <li>else nothing: {@link RouteNotFoundException}.
 * </ol>
 * Claude Code's auto-mode safety checks go first of all to the route {@code AUTO_MODE_ROUTE} names
 * (by default the Haiku route, when there is one).
 *
 * <p>Keys: the client sent its key for the upstream it named, so the client's key goes to that
 * origin (scheme, host and port) only, and to a server route only when that route's
 * {@code <TIER>_USE_CLIENT_KEY} allows it. A server-held key (the route's own, else the one
 * {@code UPSTREAM_KEYS_BY_HOST} holds for exactly that origin) wins, unless
 * {@code CLIENT_KEY_OVERRIDES_SERVER_KEY} lets a client's key that may go there replace it. A route
 * with no key to send calls its upstream without one (local servers need none).
 */
public final class Routes {

    private Routes() {
    }

    /**
     * @param requestedModel the {@code model} of the request body
     * @param clientKey the client's key when it may go upstream (not when it is the gateway's own credential)
     */
    public static Route resolve(Optional<PathRoute> pathRoute, String requestedModel, Settings settings,
                                Optional<Secret> clientKey) {
        return resolve(pathRoute, requestedModel, false, settings, clientKey);
    }

    /** @param autoModeCheck the request is one of Claude Code's auto-mode safety checks */
    public static Route resolve(Optional<PathRoute> pathRoute, String requestedModel, boolean autoModeCheck,
                                Settings settings, Optional<Secret> clientKey) {
        Optional<Origin> named = pathRoute.map(route -> Origin.of(route.endpoint()));
        if (autoModeCheck && settings.autoModeRoute().isPresent()) {
            return tierRoute(settings.tier(settings.autoModeRoute().get()).orElseThrow(), settings, clientKey, named);
        }
        Optional<Tier> family = Tier.familyOf(requestedModel);
        if (family.equals(Optional.of(Tier.HAIKU)) && settings.haiku().isPresent()) {
            return tierRoute(settings.haiku().get(), settings, clientKey, named);
        }
        if (pathRoute.isPresent()) {
            PathRoute route = pathRoute.get();
            String model = isClaudeModel(requestedModel) ? route.model() : requestedModel.strip();
            if (model.isEmpty()) {
                throw new RouteNotFoundException("The path names no model for the Claude model '" + requestedModel
                        + "': add one to the path (/_/<name>/<model>/v1/messages), give the upstream one in "
                        + Settings.UPSTREAMS + " (<name>=<base-url>|<model>), or have the client send the upstream's"
                        + " model id (Claude Code: ANTHROPIC_MODEL)");
            }
            return new Route(route.endpoint(), model,
                    key(settings.upstreamKey(named.get()), clientKey, settings), Optional.empty(), !route.configured());
        }
        return family.flatMap(settings::tier).or(() -> settings.tier(Tier.DEFAULT))
                .map(tier -> tierRoute(tier, settings, clientKey, named))
                .orElseThrow(() -> new RouteNotFoundException("The path names no upstream, and no server route serves"
                        + " model '" + requestedModel + "' (" + (settings.tiers().isEmpty() ? "none is configured"
                        : "configured: " + settings.tiers().keySet()) + ")"));
    }

    /**
     * The routes to try, in order, when {@code primary} fails before answering: the fallback
     * chain of a server route ({@code <TIER>_FALLBACK}); none for an upstream named in the path.
     *
     * @param pathRoute the upstream the request's path named, to whose origin the client's key may go
     */
    public static List<Route> fallbacks(Route primary, Settings settings, Optional<Secret> clientKey,
                                        Optional<PathRoute> pathRoute) {
        Optional<Origin> named = pathRoute.map(route -> Origin.of(route.endpoint()));
        return primary.tier().map(tier -> settings.fallbacksOf(tier).stream()
                .map(route -> tierRoute(route, settings, clientKey, named)).toList()).orElse(List.of());
    }

    /** Whether a requested model is one of Anthropic's names ({@code claude-...}), which the path's model replaces. */
    static boolean isClaudeModel(String requestedModel) {
        return requestedModel.strip().toLowerCase(java.util.Locale.ROOT).startsWith("claude");
    }

    private static Route tierRoute(TierRoute tier, Settings settings, Optional<Secret> clientKey, Optional<Origin> named) {
        Optional<Secret> serverKey = tier.key().or(() -> settings.upstreamKey(tier.origin()));
        boolean clientKeyMayGo = tier.usesClientKey() || named.equals(Optional.of(tier.origin()));
        return new Route(Dialect.endpoint(tier.baseUrl()), tier.model(),
                key(serverKey, clientKeyMayGo ? clientKey : Optional.empty(), settings), Optional.of(tier.tier()), false);
    }

    private static Optional<Secret> key(Optional<Secret> serverKey, Optional<Secret> clientKey, Settings settings) {
        if (settings.clientKeyOverrides() && clientKey.isPresent()) {
            return clientKey;
        }
        return serverKey.or(() -> clientKey);
    }

    /**
     * Where one request goes.
     *
     * @param tier the configured route chosen, or empty for the path's upstream
     * @param checked whether the upstream is one a request path named by its URL, whose addresses
     *     must pass the allowlist and the address policy (server routes and upstreams named in
     *     configuration are trusted as configured)
     */
    public record Route(URI endpoint, String model, Optional<Secret> key, Optional<Tier> tier, boolean checked) {

        public String host() {
            return endpoint.getHost();
        }

        /** Host and port, safe for logs and errors. */
        public String authority() {
            return endpoint.getAuthority();
        }

        public Origin origin() {
            return Origin.of(endpoint);
        }

        /** Endpoint and model: what one upstream route is, for remembering its failures. */
        public String identity() {
            return endpoint + " " + model;
        }


        /**
         * When the upstream answered in plain HTTP to the https this route named: how to name it
         * with http, in the path or in the setting that holds it.
         */
        public String plainHttpAdvice() {
            String hostPort = endpoint.getAuthority();
            if (tier.isPresent()) {
                return "write its base URL with http:// in " + tier.get().baseUrlSetting() + " (http://" + hostPort + "/...)";
            }
            if (!checked) {
                return "write its base URL with http:// in " + Settings.UPSTREAMS + " (<name>=http://" + hostPort + "/...)";
            }
            return "name it with /http/ before the host in the path: .../http/" + hostPort + "/<path>/<model>/v1/messages";
        }

        /** When the upstream refuses a call that carried no key: which setting gives this route one. */
        public String missingKeyAdvice() {
            return tier.map(route -> "the " + route.name().toLowerCase(java.util.Locale.ROOT) + " route has no key to"
                            + " send: set " + route.keySetting() + ", or " + route.clientKeySetting()
                            + "=true to send the client's own")
                    .orElse("the request carried no key, and " + Settings.UPSTREAM_KEYS_BY_HOST + " holds none for "
                            + origin());
        }
    }
}
