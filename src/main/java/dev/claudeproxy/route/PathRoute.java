package dev.claudeproxy.route;

import java.net.URI;

/**
 * The upstream named in a request path.
 *
 * @param chatCompletions the upstream's {@code .../chat/completions} URI
 * @param model the upstream model id; empty when the path names none (an upstream named in
 *     configuration without a model of its own)
 * @param configured whether the path named an upstream of the server's configuration
 *     ({@code /_/<name>}), which is trusted as configured, rather than a URL
 */
public record PathRoute(URI chatCompletions, String model, boolean configured) {

    public PathRoute(URI chatCompletions, String model) {
        this(chatCompletions, model, false);
    }
}
