package dev.claudeproxy.route;

import java.net.URI;

/**
 * The upstream named in a request path.
 *
 * @param endpoint the upstream's URL: its {@code .../chat/completions}, or the base when that ends in {@code /responses}
 * @param model the upstream model id; empty when the path names none (an upstream named in
 *     configuration without a model of its own)
 * @param configured whether the path named an upstream of the server's configuration
 *     ({@code /_/<name>}), which is trusted as configured, rather than a URL
 */
public record PathRoute(URI endpoint, String model, boolean configured) {

    public PathRoute(URI endpoint, String model) {
        this(endpoint, model, false);
    }
}
