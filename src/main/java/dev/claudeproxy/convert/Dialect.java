package dev.claudeproxy.convert;

import java.util.Locale;

/** What an upstream accepts beyond plain Chat Completions; chosen by host and model id. */
public enum Dialect {
    /** OpenAI and every compatible server that takes JSON Schema as it is. */
    GENERIC,
    /**
     * Google Gemini, reached directly or through another gateway (so recognised by model id too):
     * it takes only an OpenAPI-style subset of JSON Schema in tool parameters.
     */
    GEMINI;

    public static Dialect of(String host, String model) {
        String lowerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
        if (lowerHost.endsWith("generativelanguage.googleapis.com")
                || model.toLowerCase(Locale.ROOT).contains("gemini")) {
            return GEMINI;
        }
        return GENERIC;
    }
}
