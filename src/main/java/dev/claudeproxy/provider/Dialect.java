package dev.claudeproxy.provider;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The API an upstream is called with. Chat Completions is the default; the Responses API is chosen
 * by a base URL that ends in {@code /responses} (called at exactly that URL), or, on OpenAI and
 * Azure, by a model that only the Responses API serves.
 */
public enum Dialect {
    CHAT_COMPLETIONS,
    RESPONSES;

    private static final String RESPONSES_PATH = "/responses";
    private static final String CHAT_COMPLETIONS_PATH = "/chat/completions";

    /**
     * OpenAI's models that answer "only supported in v1/responses" on Chat Completions: the codex
     * family, the pro models of the o-series and gpt-5 (docs/responses.md lists them).
     */
    private static final Pattern RESPONSES_ONLY = Pattern.compile(
            "(.*/)?(codex-.*|gpt-5(\\.\\d+)?-codex.*|gpt-5(\\.\\d+)?-pro.*|o1-pro.*|o3-pro.*|o3-deep-research.*|o4-mini-deep-research.*)");

    /** The URL a configured or routed base is called at: the base itself when it names {@code /responses}, else its {@code /chat/completions}. */
    public static URI endpoint(String base) {
        return URI.create(base.endsWith(RESPONSES_PATH) ? base : base + CHAT_COMPLETIONS_PATH);
    }

    /** {@link #endpoint(String)} of a configured base URL. */
    public static URI endpoint(URI base) {
        return endpoint(base.toString());
    }

    /** The dialect of a call to {@code endpoint} for {@code model} on an upstream of {@code profile}. */
    public static Dialect of(URI endpoint, String model, Profile profile) {
        if (endpoint.getPath() != null && endpoint.getPath().endsWith(RESPONSES_PATH)) {
            return RESPONSES;
        }
        boolean openAi = profile.has(Profile.Trait.OPENAI_MODELS);
        // Azure's classic deployment URLs have no Responses sibling: its Responses API is under /openai/v1.
        boolean deployment = endpoint.getPath() != null && endpoint.getPath().contains("/deployments/");
        return openAi && !deployment && isResponsesOnly(model) ? RESPONSES : CHAT_COMPLETIONS;
    }

    /** Whether OpenAI serves {@code model} through the Responses API only. */
    public static boolean isResponsesOnly(String model) {
        return RESPONSES_ONLY.matcher(model.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * The URL this dialect is posted to for a route's {@code endpoint}: a Chat Completions endpoint
     * becomes its sibling {@code /responses} when the model needs the Responses API.
     */
    public URI uri(URI endpoint) {
        String text = endpoint.toString();
        if (this == RESPONSES && endpoint.getPath().endsWith(CHAT_COMPLETIONS_PATH)) {
            int at = text.lastIndexOf(CHAT_COMPLETIONS_PATH);
            return URI.create(text.substring(0, at) + RESPONSES_PATH + text.substring(at + CHAT_COMPLETIONS_PATH.length()));
        }
        return endpoint;
    }
}
