package dev.claudeproxy.config;

import java.net.URI;
import java.util.Optional;

/**
 * A server-configured upstream: base URL (up to, not including, {@code /chat/completions}), the
 * upstream model, and a server-held key (when absent, the upstream host's configured key or the
 * client's key is sent).
 */
public record TierRoute(Tier tier, URI baseUrl, String model, Optional<Secret> key) {
}
