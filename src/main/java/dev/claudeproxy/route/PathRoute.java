package dev.claudeproxy.route;

import java.net.URI;

/**
 * The upstream named in a request path.
 *
 * @param chatCompletions the upstream's {@code .../chat/completions} URI
 * @param model the upstream model id
 */
public record PathRoute(URI chatCompletions, String model) {
}
