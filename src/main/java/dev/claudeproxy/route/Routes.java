package dev.claudeproxy.route;

import dev.claudeproxy.config.HaikuRoute;
import dev.claudeproxy.config.Secret;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** Chooses where a request goes: the Haiku route for Haiku models when configured, else the path's route. */
public final class Routes {

    private Routes() {
    }

    /**
     * @param requestedModel the {@code model} of the request body
     * @param clientKey the key the client sent, if any
     */
    public static Route resolve(Optional<PathRoute> pathRoute, String requestedModel, Optional<HaikuRoute> haiku,
                                Optional<Secret> clientKey) {
        if (haiku.isPresent() && isHaiku(requestedModel)) {
            HaikuRoute route = haiku.get();
            return new Route(URI.create(route.baseUrl() + "/chat/completions"), route.model(),
                    route.key().or(() -> clientKey), true);
        }
        PathRoute route = pathRoute.orElseThrow(() -> new RouteNotFoundException(
                "The path names no upstream (and no server route matches model '" + requestedModel + "')"));
        return new Route(route.chatCompletions(), route.model(), clientKey, false);
    }

    /** Whether a requested model is a Haiku one, which the Haiku route serves when configured. */
    public static boolean isHaiku(String requestedModel) {
        return requestedModel.toLowerCase(Locale.ROOT).contains("haiku");
    }

    /**
     * Where one request goes.
     *
     * @param haiku whether the configured Haiku route was chosen
     */
    public record Route(URI chatCompletions, String model, Optional<Secret> key, boolean haiku) {

        public String host() {
            return chatCompletions.getHost();
        }

        /** Host and port, safe for logs and errors. */
        public String authority() {
            return chatCompletions.getAuthority();
        }
    }
}
