package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.openai.ToolCall;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Gemini's thought signatures, carried without any state. Gemini 3 gives each function call an
 * opaque {@code extra_content.google.thought_signature} and refuses the next turn (400) unless the
 * call comes back with it. Anthropic clients cannot carry extra fields, but they echo tool-use ids:
 * so the signature (base64, turned base64url to fit the id alphabet {@code [A-Za-z0-9_-]}) rides in
 * the minted id after {@value #MARK}, is taken out of every id sent upstream, and is put back on
 * that call for Gemini. A Gemini turn whose first call has no signature gets Google's documented
 * bypass value.
 */
public final class GeminiThoughtSignatures {

    static final String MARK = "__gts_";
    /** The value Google documents for calls whose signature was lost (history from elsewhere). */
    static final String SKIP_VALIDATOR = "skip_thought_signature_validator";
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]+={0,2}");

    private GeminiThoughtSignatures() {
    }

    /** The signature a Gemini call carries, when it is base64 (as Gemini's are). */
    static Optional<String> of(ToolCall call) {
        JsonObject extra = call.extraContent();
        if (extra != null && extra.get("google") instanceof JsonObject google
                && google.get("thought_signature") instanceof JsonString signature
                && BASE64.matcher(signature.getString()).matches()) {
            return Optional.of(signature.getString());
        }
        return Optional.empty();
    }

    /**
     * A fresh tool-use id carrying {@code signature}: after the mark, the number of '=' padding
     * characters removed, then the signature in base64url, so it comes back exactly as it was.
     */
    static String toolUseId(Optional<String> signature) {
        String id = Ids.toolUseId();
        return signature.map(value -> {
            String unpadded = value.replace("=", "");
            return id + MARK + (value.length() - unpadded.length()) + unpadded.replace('+', '-').replace('/', '_');
        }).orElse(id);
    }

    /** The id without a carried signature: what any upstream sees. */
    static String bareId(String toolUseId) {
        int mark = toolUseId.indexOf(MARK);
        return mark < 0 ? toolUseId : toolUseId.substring(0, mark);
    }

    /** The signature carried in a tool-use id. */
    static Optional<String> carried(String toolUseId) {
        int mark = toolUseId.indexOf(MARK);
        if (mark < 0) {
            return Optional.empty();
        }
        String carried = toolUseId.substring(mark + MARK.length());
        if (carried.isEmpty() || carried.charAt(0) < '0' || carried.charAt(0) > '2') {
            return Optional.empty();
        }
        return Optional.of(carried.substring(1).replace('-', '+').replace('_', '/') + "=".repeat(carried.charAt(0) - '0'));
    }

    static JsonObject extraContent(String signature) {
        return JSON_P.createObjectBuilder().add("google", JSON_P.createObjectBuilder().add("thought_signature", signature)).build();
    }
}
