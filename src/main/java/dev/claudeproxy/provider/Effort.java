package dev.claudeproxy.provider;

import java.util.Locale;
import java.util.Optional;

/**
 * How hard a client asks the model to think, in Anthropic's terms, before a profile turns it
 * into the {@code reasoning_effort} its upstream takes ({@link Profile#reasoningEffort}).
 * {@link #LEAST} is thinking turned off: as little as the model can do.
 */
public enum Effort {
    LEAST, LOW, MEDIUM, HIGH, XHIGH, MAX;

    /** {@code output_config.effort} as the Messages API writes it (low, medium, high, xhigh, max). */
    public static Optional<Effort> of(String wire) {
        return switch (wire.toLowerCase(Locale.ROOT)) {
            case "low" -> Optional.of(LOW);
            case "medium" -> Optional.of(MEDIUM);
            case "high" -> Optional.of(HIGH);
            case "xhigh" -> Optional.of(XHIGH);
            case "max" -> Optional.of(MAX);
            default -> Optional.empty();
        };
    }
}
