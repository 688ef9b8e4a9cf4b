package dev.claudeproxy.config;

import java.net.URI;
import java.util.Optional;

/**
 * A server-configured upstream: base URL (up to, not including, {@code /chat/completions}), the
 * upstream model, and a server-held key (when absent, the key {@code UPSTREAM_KEYS_BY_HOST} holds
 * for its origin; the client's own key only when {@code usesClientKey}).
 */
public record TierRoute(Tier tier, URI baseUrl, String model, Optional<Secret> key, boolean usesClientKey) {

    public Origin origin() {
        return Origin.of(baseUrl);
    }
}
