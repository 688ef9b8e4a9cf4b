package dev.claudeproxy.error;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long an upstream asked to be left alone, read from whichever of its headers say it:
 * {@code retry-after-ms}, then {@code retry-after} (seconds or an HTTP date), then the reset time
 * of the rate limit it ran out of ({@code x-ratelimit-reset-requests} or {@code -tokens}, durations
 * like {@code 6s}, {@code 1m30.5s} or {@code 20ms}, as OpenAI, Groq and others send). The gateway
 * waits that long before its own retry, and tells the client in {@code retry-after-ms}, which the
 * Anthropic SDKs read before {@code retry-after}.
 *
 * @param retryAfter the upstream's own {@code retry-after}, passed on as it was
 * @param delay how long to wait, when any header says
 */
public record RetryHint(Optional<String> retryAfter, Optional<Duration> delay) {

    public static final RetryHint NONE = new RetryHint(Optional.empty(), Optional.empty());

    /** A day: a longer wait is no hint but a mistake. */
    private static final Duration LONGEST = Duration.ofDays(1);
    private static final Pattern NUMBER = Pattern.compile("\\d{1,12}(?:\\.\\d{1,9})?");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s)");

    /** @param header an answer header by its (case-insensitive) name */
    public static RetryHint of(Function<String, Optional<String>> header) {
        Optional<String> retryAfter = header.apply("retry-after");
        Optional<Duration> delay = header.apply("retry-after-ms").flatMap(RetryHint::milliseconds)
                .or(() -> retryAfter.flatMap(RetryHint::retryAfter))
                .or(() -> rateLimitReset(header));
        return new RetryHint(retryAfter, delay);
    }

    /** The headers that tell the client: {@code retry-after} as the upstream sent it, {@code retry-after-ms} the wait. */
    public void addTo(Map<String, String> headers) {
        retryAfter.ifPresent(value -> headers.put("retry-after", value));
        delay.ifPresent(value -> headers.put("retry-after-ms", Long.toString(value.toMillis())));
    }

    /** {@code retry-after} as delay-seconds or an HTTP date. */
    static Optional<Duration> retryAfter(String value) {
        String text = value.strip();
        if (NUMBER.matcher(text).matches()) {
            return bounded(Duration.ofMillis((long) (Double.parseDouble(text) * 1000)));
        }
        try {
            Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
            return bounded(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException notADate) {
            return Optional.empty();
        }
    }

    private static Optional<Duration> milliseconds(String value) {
        String text = value.strip();
        return NUMBER.matcher(text).matches() ? bounded(Duration.ofNanos((long) (Double.parseDouble(text) * 1_000_000)))
                : Optional.empty();
    }

    /**
     * The reset of the limit that ran out (its {@code x-ratelimit-remaining-*} is 0); when neither
     * says so, the later of the two, which covers whichever it was.
     */
    private static Optional<Duration> rateLimitReset(Function<String, Optional<String>> header) {
        Optional<Duration> requests = header.apply("x-ratelimit-reset-requests").flatMap(RetryHint::duration);
        Optional<Duration> tokens = header.apply("x-ratelimit-reset-tokens").flatMap(RetryHint::duration);
        boolean requestsOut = header.apply("x-ratelimit-remaining-requests").filter(v -> v.strip().equals("0")).isPresent();
        boolean tokensOut = header.apply("x-ratelimit-remaining-tokens").filter(v -> v.strip().equals("0")).isPresent();
        if (requestsOut != tokensOut) {
            return requestsOut ? requests.or(() -> tokens) : tokens.or(() -> requests);
        }
        if (requests.isPresent() && tokens.isPresent()) {
            return Optional.of(requests.get().compareTo(tokens.get()) >= 0 ? requests.get() : tokens.get());
        }
        return requests.or(() -> tokens);
    }

    /** A duration as rate-limit headers write it: {@code 6s}, {@code 1m30.5s}, {@code 20ms}, or bare seconds. */
    static Optional<Duration> duration(String value) {
        String text = value.strip();
        if (NUMBER.matcher(text).matches()) {
            return bounded(Duration.ofMillis((long) (Double.parseDouble(text) * 1000)));
        }
        Matcher part = DURATION_PART.matcher(text);
        double nanos = 0;
        int at = 0;
        while (at < text.length() && part.find(at) && part.start() == at && part.group(1).length() <= 12) {
            double amount = Double.parseDouble(part.group(1));
            nanos += amount * switch (part.group(2)) {
                case "h" -> 3600e9;
                case "m" -> 60e9;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            at = part.end();
        }
        return !text.isEmpty() && at == text.length() ? bounded(Duration.ofNanos((long) Math.min(nanos, Long.MAX_VALUE))) : Optional.empty();
    }

    private static Optional<Duration> bounded(Duration wait) {
        return wait.isNegative() || wait.compareTo(LONGEST) > 0 ? Optional.empty() : Optional.of(wait);
    }
}
