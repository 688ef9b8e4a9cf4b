package dev.claudeproxy.error;

import static dev.claudeproxy.json.Json.JSON_P;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one table that turns an upstream's error answer into the Anthropic error the client sees,
 * and the reader of the upstream error body shapes (OpenAI nested, flat, Gemini array, non-JSON).
 */
public final class UpstreamErrors {

    /** Claude Code compacts the conversation when an error message contains exactly this phrase. */
    public static final String PROMPT_TOO_LONG = "prompt is too long";

    private static final int EXCERPT_CHARS = 300;

    private static final Pattern CONTEXT_LENGTH = Pattern.compile(
            "context_length_exceeded|context length|context window|maximum context"
                    + "|exceeds? (the )?(model'?s? )?(maximum )?context|input token count|too many (input )?tokens"
                    + "|prompt is too long|input is too long|reduce the length",
            Pattern.CASE_INSENSITIVE);

    private UpstreamErrors() {
    }

    /**
     * Maps an upstream HTTP error to the client's error. {@code hint} is how long the upstream
     * asked to be left alone, told the client for 429 and 503/529 so it waits as long as asked. Only
     * the message of a JSON error body is relayed, and only when {@code relayed} (the upstream is a
     * provider's own API); any other body or message is described, not shown (it may be an internal
     * service's page or its secrets).
     */
    public static ProxyException fromStatus(int upstreamStatus, String body, String contentType,
                                            RetryHint hint, boolean relayed) {
        String message = relayed ? describe(body, contentType)
                : readableMessage(body).map(UpstreamErrors::withheld).orElseGet(() -> describe(body, contentType));
        Map<String, String> headers = new LinkedHashMap<>();
        hint.addTo(headers);
        if ((upstreamStatus == 400 || upstreamStatus == 413 || upstreamStatus == 422)
                && CONTEXT_LENGTH.matcher(body == null ? "" : body).find()) {
            return new ProxyException(400, ErrorType.INVALID_REQUEST, PROMPT_TOO_LONG + ": " + message, Map.of());
        }
        if (upstreamStatus >= 300 && upstreamStatus < 400) {
            // Never followed (a key must go only to the host it was sent for), and the same next time.
            return ProxyException.noRetry(502, ErrorType.API, "upstream answered " + upstreamStatus
                    + ", a redirect, which this gateway does not follow: give the route the address it redirects to");
        }
        ErrorType type = switch (upstreamStatus) {
            case 400, 405, 409, 415, 422 -> ErrorType.INVALID_REQUEST;
            case 401 -> ErrorType.AUTHENTICATION;
            case 402 -> ErrorType.BILLING;
            case 403 -> ErrorType.PERMISSION;
            case 404 -> ErrorType.NOT_FOUND;
            case 408, 504 -> ErrorType.TIMEOUT;
            case 413 -> ErrorType.REQUEST_TOO_LARGE;
            case 429 -> ErrorType.RATE_LIMIT;
            case 503, 529 -> ErrorType.OVERLOADED;
            default -> upstreamStatus >= 400 && upstreamStatus < 500 ? ErrorType.INVALID_REQUEST : ErrorType.API;
        };
        int status = switch (type) {
            case API -> upstreamStatus >= 500 && upstreamStatus < 600 ? upstreamStatus : 502;
            case INVALID_REQUEST -> 400;
            default -> type.status();
        };
        if (type != ErrorType.RATE_LIMIT && type != ErrorType.OVERLOADED) {
            headers.clear();
        }
        String prefix = "upstream answered " + upstreamStatus + ": ";
        return new ProxyException(status, type, prefix + message, headers);
    }

    /**
     * What an upstream error body says, fit to show the client: the message of a JSON error
     * ({@code error.message}, a flat {@code message}, {@code detail}, a Gemini array's first
     * error), or else only what kind of body it was and how long.
     */
    public static String describe(String body, String contentType) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        return readableMessage(body).orElseGet(() -> "(a " + contentType + " body of "
                + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes, not shown)");
    }

    /** The message of a JSON error body, when it has one where error bodies put it. */
    public static Optional<String> readableMessage(String body) {
        return parse(body).flatMap(UpstreamErrors::messageIn);
    }

    /** The message of a JSON error object met in the middle of a stream, or when not {@code relayed}, its length. */
    public static String messageOf(JsonValue error, boolean relayed) {
        return messageIn(error).map(message -> relayed ? message : withheld(message)).orElse("(an error without a message)");
    }

    /** What the client is told of an error message it may not see. */
    public static String withheld(String message) {
        return "(a message of " + message.length() + " characters, not shown: only a provider API's error texts are relayed)";
    }

    private static Optional<JsonStructure> parse(String body) {
        try (JsonReader reader = JSON_P.createReader(new StringReader(body))) {
            return Optional.of(reader.read());
        } catch (JsonParsingException | IllegalStateException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            // Parsson signals some malformed input with other runtime exceptions; the body is then text.
            return Optional.empty();
        }
    }

    private static Optional<String> messageIn(JsonValue value) {
        switch (value.getValueType()) {
            case STRING:
                return Optional.of(excerpt(((JsonString) value).getString()));
            case ARRAY:
                JsonArray array = value.asJsonArray();
                return array.isEmpty() ? Optional.empty() : messageIn(array.get(0));
            case OBJECT:
                JsonObject object = value.asJsonObject();
                for (String key : new String[] {"error", "message", "detail", "msg"}) {
                    JsonValue inner = object.get(key);
                    if (inner != null && inner.getValueType() != JsonValue.ValueType.NULL) {
                        Optional<String> found = messageIn(inner);
                        if (found.isPresent()) {
                            return found;
                        }
                    }
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }

    private static String excerpt(String text) {
        String flat = text.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip();
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
    }
}
