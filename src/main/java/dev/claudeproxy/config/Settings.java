package dev.claudeproxy.config;

import dev.claudeproxy.convert.Profile;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * Every setting of the gateway, read once at start through one {@link Lookup}. An invalid value
 * fails the deployment with an {@link IllegalArgumentException} naming the setting.
 *
 * @param haiku route for models whose name contains "haiku", when configured
 * @param connectTimeout upstream connect timeout
 * @param readTimeout longest upstream silence tolerated, before and during a stream
 * @param maxOutputTokens cap on the {@code max_tokens} sent upstream
 * @param maxOutputTokensByHost per-upstream-host caps that replace {@code maxOutputTokens}
 * @param keepAlive silence on a started stream after which a {@code ping} event is sent
 * @param profileByHost upstream host → provider profile, replacing the built-in choice
 * @param thinkingSecret key of the thinking-block signatures; gateways behind one load balancer share it
 * @param azureApiVersion the {@code api-version} query parameter for Azure OpenAI deployment URLs
 */
public record Settings(
        Optional<HaikuRoute> haiku,
        Duration connectTimeout,
        Duration readTimeout,
        int maxOutputTokens,
        Map<String, Integer> maxOutputTokensByHost,
        Duration keepAlive,
        Map<String, Profile> profileByHost,
        Optional<Secret> thinkingSecret,
        String azureApiVersion) {

    public static final String HAIKU_BASE_URL = "HAIKU_BASE_URL";
    public static final String HAIKU_MODEL_NAME = "HAIKU_MODEL_NAME";
    public static final String HAIKU_API_KEY = "HAIKU_API_KEY";
    public static final String UPSTREAM_CONNECT_TIMEOUT_SECONDS = "UPSTREAM_CONNECT_TIMEOUT_SECONDS";
    public static final String UPSTREAM_READ_TIMEOUT_SECONDS = "UPSTREAM_READ_TIMEOUT_SECONDS";
    public static final String MAX_OUTPUT_TOKENS = "MAX_OUTPUT_TOKENS";
    public static final String MAX_OUTPUT_TOKENS_BY_HOST = "MAX_OUTPUT_TOKENS_BY_HOST";
    public static final String KEEPALIVE_SECONDS = "KEEPALIVE_SECONDS";
    public static final String PROFILE_BY_HOST = "PROFILE_BY_HOST";
    public static final String THINKING_SIGNATURE_SECRET = "THINKING_SIGNATURE_SECRET";
    public static final String AZURE_API_VERSION = "AZURE_API_VERSION";

    public Settings {
        maxOutputTokensByHost = Map.copyOf(maxOutputTokensByHost);
        profileByHost = Map.copyOf(profileByHost);
    }

    public static Settings load(Lookup lookup) {
        return new Settings(
                haiku(lookup),
                Duration.ofSeconds(positive(lookup, UPSTREAM_CONNECT_TIMEOUT_SECONDS, 10)),
                Duration.ofSeconds(positive(lookup, UPSTREAM_READ_TIMEOUT_SECONDS, 600)),
                positive(lookup, MAX_OUTPUT_TOKENS, 32768),
                pairs(lookup, MAX_OUTPUT_TOKENS_BY_HOST, "host=tokens", Settings::positiveNumber),
                Duration.ofSeconds(positive(lookup, KEEPALIVE_SECONDS, 15)),
                pairs(lookup, PROFILE_BY_HOST, "host=profile", Settings::profile),
                lookup.find(THINKING_SIGNATURE_SECRET).map(secret -> {
                    if (secret.strip().length() < 16) {
                        throw new IllegalArgumentException(THINKING_SIGNATURE_SECRET + " must have at least 16 characters");
                    }
                    return Secret.of(secret);
                }),
                lookup.find(AZURE_API_VERSION).map(String::strip).orElse("2024-10-21"));
    }

    /**
     * The output-token cap for a model at an upstream host: the host's configured cap when there
     * is one; else the global cap, lowered to the model's known limit.
     */
    public int maxOutputTokensFor(String host, OptionalInt knownModelLimit) {
        Integer hostCap = maxOutputTokensByHost.get(host.toLowerCase(Locale.ROOT));
        if (hostCap != null) {
            return hostCap;
        }
        return Math.min(maxOutputTokens, knownModelLimit.orElse(Integer.MAX_VALUE));
    }

    private static Optional<HaikuRoute> haiku(Lookup lookup) {
        Optional<String> baseUrl = lookup.find(HAIKU_BASE_URL);
        Optional<String> model = lookup.find(HAIKU_MODEL_NAME);
        if (baseUrl.isEmpty() && model.isEmpty()) {
            return Optional.empty();
        }
        if (baseUrl.isEmpty() || model.isEmpty()) {
            String missing = baseUrl.isEmpty() ? HAIKU_BASE_URL : HAIKU_MODEL_NAME;
            throw new IllegalArgumentException(missing + " must be set too: the Haiku route needs "
                    + HAIKU_BASE_URL + " and " + HAIKU_MODEL_NAME);
        }
        return Optional.of(new HaikuRoute(
                baseUrl(baseUrl.get()), model.get().strip(), lookup.find(HAIKU_API_KEY).map(Secret::of)));
    }

    /** A base URL with its scheme optional (https by default) and no trailing slash. */
    static URI baseUrl(String text) {
        String value = text.strip();
        if (!value.contains("://")) {
            value = "https://" + value;
        }
        while (value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new URISyntaxException(value, "needs an http(s) scheme and a host");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(HAIKU_BASE_URL + " is not a valid base URL: " + e.getMessage(), e);
        }
    }

    private static int positive(Lookup lookup, String name, int fallback) {
        Optional<String> text = lookup.find(name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get().strip());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below with the setting's name
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, not '" + text.get() + "'");
    }

    /** A setting of comma-separated {@code host=value} pairs; hosts are matched case-insensitively. */
    private static <T> Map<String, T> pairs(Lookup lookup, String name, String form, Function<String, T> parse) {
        Map<String, T> values = new LinkedHashMap<>();
        Optional<String> text = lookup.find(name);
        if (text.isEmpty()) {
            return values;
        }
        for (String entry : text.get().split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] pair = entry.split("=", 2);
            try {
                if (pair.length < 2 || pair[0].isBlank()) {
                    throw new IllegalArgumentException("no host");
                }
                values.put(pair[0].strip().toLowerCase(Locale.ROOT), parse.apply(pair[1].strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + " takes " + form + " pairs separated by commas, not '"
                        + entry.strip() + "'", e);
            }
        }
        return values;
    }

    private static Integer positiveNumber(String text) {
        int value = Integer.parseInt(text);
        if (value <= 0) {
            throw new IllegalArgumentException("not positive");
        }
        return value;
    }

    private static Profile profile(String text) {
        try {
            return Profile.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown profile '" + text + "'; known: "
                    + java.util.Arrays.toString(Profile.values()).toLowerCase(Locale.ROOT), e);
        }
    }
}
