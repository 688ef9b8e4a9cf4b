package dev.claudeproxy.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The server-configured routes, each set by {@code <NAME>_BASE_URL}, {@code <NAME>_MODEL_NAME} and
 * an optional {@code <NAME>_API_KEY}. A Haiku model goes to the Haiku route whenever one is set
 * (Claude Code's background requests); a request whose path names no upstream goes to the route
 * of its model's family, else to the default route.
 */
public enum Tier {
    HAIKU, SONNET, OPUS, DEFAULT;

    /** The setting-name prefix: {@code HAIKU}, ..., {@code DEFAULT}. */
    public String prefix() {
        return name();
    }

    public String baseUrlSetting() {
        return prefix() + "_BASE_URL";
    }

    public String modelSetting() {
        return prefix() + "_MODEL_NAME";
    }

    public String keySetting() {
        return prefix() + "_API_KEY";
    }

    /**
     * Whether the route may send the client's own key when it has none of its own: off by default,
     * because the client sent its key for the upstream it named, not for this route's.
     */
    public String clientKeySetting() {
        return prefix() + "_USE_CLIENT_KEY";
    }

    /** Names the route tried next when this one fails before answering ({@code SONNET_FALLBACK=default}). */
    public String fallbackSetting() {
        return prefix() + "_FALLBACK";
    }

    /** The family a requested model name belongs to ({@code claude-sonnet-4-5} → SONNET), if any. */
    public static Optional<Tier> familyOf(String requestedModel) {
        String model = requestedModel.toLowerCase(Locale.ROOT);
        for (Tier tier : new Tier[] {HAIKU, SONNET, OPUS}) {
            if (model.contains(tier.name().toLowerCase(Locale.ROOT))) {
                return Optional.of(tier);
            }
        }
        return Optional.empty();
    }
}
