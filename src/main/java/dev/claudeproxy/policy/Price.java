package dev.claudeproxy.policy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The price of one upstream model, per million tokens, in millionths of the policy's currency.
 *
 * @param target a {@code host/model} glob ({@code *} is any text)
 */
public record Price(String target, long inputPerMillion, long cachedPerMillion, long outputPerMillion, int line) {

    boolean matches(String host, String model) {
        return Globs.compile(target).matcher((host + "/" + model).toLowerCase(Locale.ROOT)).matches();
    }

    /** The cost of these tokens, in millionths of the currency, rounded up. */
    public long cost(long input, long cached, long output) {
        long millionths = Math.addExact(Math.addExact(Math.multiplyExact(input, inputPerMillion),
                Math.multiplyExact(cached, cachedPerMillion)), Math.multiplyExact(output, outputPerMillion));
        return (millionths + 999_999) / 1_000_000;
    }

    static final class Globs {
        private static final java.util.concurrent.ConcurrentHashMap<String, Pattern> COMPILED = new java.util.concurrent.ConcurrentHashMap<>();

        private Globs() {
        }

        /** {@code *} as any text, the rest literal, case-insensitive; compiled once per glob. */
        static Pattern compile(String glob) {
            return COMPILED.computeIfAbsent(glob.toLowerCase(Locale.ROOT), lower -> Pattern.compile(
                    java.util.Arrays.stream(lower.split("\\*", -1)).map(Pattern::quote)
                            .collect(java.util.stream.Collectors.joining(".*"))));
        }
    }
}
