package dev.claudeproxy.json;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.PropertyNamingStrategy;

/**
 * JSON-B's binding of a text, as the gateway read chat completions before {@code ChatCompletionReader}:
 * the reference that reader is fuzzed against ({@code ReadersAgree}). Kept in the tests; the gateway
 * only writes with JSON-B.
 *
 * <p>A text whose objects and arrays do not all close is refused before binding: Yasson skips the
 * values of unknown properties with Parsson's {@code skipArray}/{@code skipObject}, which spin
 * forever at the end of input (Parsson 1.1.9 still; found by {@code StreamFuzzTest}), so a truncated
 * text such as {@code {"x":[1,} would hold the test at full CPU. A text nested deeper than
 * {@link Json#MAX_NESTING} is refused too.
 */
public final class BindingOracle {

    private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES).withNullValues(false));

    private BindingOracle() {
    }

    /** Parses {@code text} as {@code type}; a text that is not such JSON throws {@link JsonbException}. */
    public static <T> T read(String text, Class<T> type) {
        if (!closesEveryContainer(text)) {
            throw new JsonbException("truncated, unbalanced or too deeply nested JSON");
        }
        return JSONB.fromJson(text, type);
    }

    /**
     * Whether every '{' and '[' outside strings is closed by its matching bracket, in order, with
     * at most {@link Json#MAX_NESTING} open at once.
     */
    static boolean closesEveryContainer(CharSequence text) {
        char[] open = new char[Json.MAX_NESTING];
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (depth == Json.MAX_NESTING) {
                    return false;
                }
                open[depth++] = c == '{' ? '}' : ']';
            } else if (c == '}' || c == ']') {
                if (depth == 0 || open[--depth] != c) {
                    return false;
                }
            }
        }
        return depth == 0 && !inString;
    }
}
