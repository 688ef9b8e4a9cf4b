package dev.claudeproxy.route;

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
 *
 * The key is the server-held one (the route's own, else the upstream host's), unless there is none
 * or the settings let the client's key override it.
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
        Optional<Tier> family = Tier.familyOf(requestedModel);
        if (family.equals(Optional.of(Tier.HAIKU)) && settings.haiku().isPresent()) {
            return tierRoute(settings.haiku().get(), settings, clientKey);
        }
        if (pathRoute.isPresent()) {
            PathRoute route = pathRoute.get();
            String model = isClaudeModel(requestedModel) ? route.model() : requestedModel.strip();
            return new Route(route.chatCompletions(), model,
                    key(settings.upstreamKey(route.chatCompletions().getHost()), clientKey, settings), Optional.empty());
        }
        return family.flatMap(settings::tier).or(() -> settings.tier(Tier.DEFAULT))
                .map(tier -> tierRoute(tier, settings, clientKey))
                .orElseThrow(() -> new RouteNotFoundException("The path names no upstream, and no server route serves"
                        + " model '" + requestedModel + "' (" + (settings.tiers().isEmpty() ? "none is configured"
                        : "configured: " + settings.tiers().keySet()) + "). Use the path form " + PathParser.FORM));
    }

    /**
     * The routes to try, in order, when {@code primary} fails before answering: the fallback
     * chain of a server route ({@code <TIER>_FALLBACK}); none for an upstream named in the path.
     */
    public static List<Route> fallbacks(Route primary, Settings settings, Optional<Secret> clientKey) {
        return primary.tier().map(tier -> settings.fallbacksOf(tier).stream()
                .map(route -> tierRoute(route, settings, clientKey)).toList()).orElse(List.of());
    }

    /** Whether a requested model is one of Anthropic's names ({@code claude-...}), which the path's model replaces. */
    static boolean isClaudeModel(String requestedModel) {
        return requestedModel.strip().toLowerCase(java.util.Locale.ROOT).startsWith("claude");
    }

    private static Route tierRoute(TierRoute tier, Settings settings, Optional<Secret> clientKey) {
        Optional<Secret> serverKey = tier.key().or(() -> settings.upstreamKey(tier.baseUrl().getHost()));
        return new Route(URI.create(tier.baseUrl() + "/chat/completions"), tier.model(),
                key(serverKey, clientKey, settings), Optional.of(tier.tier()));
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
     */
    public record Route(URI chatCompletions, String model, Optional<Secret> key, Optional<Tier> tier) {

        public String host() {
            return chatCompletions.getHost();
        }

        /** Host and port, safe for logs and errors. */
        public String authority() {
            return chatCompletions.getAuthority();
        }

        /** Endpoint and model: what one upstream route is, for remembering its failures. */
        public String identity() {
            return chatCompletions + " " + model;
        }

        /** Whether the upstream came from the request path (and so is subject to the allowlist). */
        public boolean fromPath() {
            return tier.isEmpty();
        }
    }
}
