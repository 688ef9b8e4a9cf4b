package dev.claudeproxy.config;

import java.net.URI;
import java.util.Optional;

/**
 * The fixed upstream for requests whose model names a Haiku: base URL (up to, not including,
 * {@code /chat/completions}), the upstream model, and a server-held key (when absent the
 * client's key is sent).
 */
public record HaikuRoute(URI baseUrl, String model, Optional<Secret> key) {
}
