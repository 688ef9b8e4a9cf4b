package dev.claudeproxy.openai;

import dev.claudeproxy.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.json.stream.JsonParsingException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link ChatCompletion}, a whole answer or one stream chunk, with JSON-P's streaming
 * parser instead of JSON-B's binding.
 *
 * <p>Why not JSON-B, which the gateway uses everywhere else: a stream reads one of these per
 * upstream chunk, and binding one cost 3.6 times a streaming walk of it (2.2 µs against 0.6 µs for
 * a 290-byte chunk, {@code ChunkJsonBench}), about 110 µs of a 50-chunk stream's 154 µs of
 * conversion. This reader fills the same records and gives what binding gave for every chunk
 * (fuzzed against it, {@code StreamFuzzTest} with {@code ReadersAgree}): a field it does not know is skipped,
 * {@code null} or a missing field is {@code null}, and a field of the wrong kind (an object where
 * text belongs, a fraction where a count belongs) makes the whole text not a chat completion.
 */
public final class ChatCompletionReader {

    private static final BigDecimal INT_MIN = BigDecimal.valueOf(Integer.MIN_VALUE);
    private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);

    private ChatCompletionReader() {
    }

    /**
     * @throws JsonException when {@code text} is not a JSON object of this shape (not JSON,
     *     truncated, nested deeper than {@link Json#MAX_NESTING}, or a field of the wrong kind)
     */
    public static ChatCompletion read(String text) {
        try (JsonParser parser = Json.parser(text)) {
            ChatCompletion completion = completion(parser, parser.next());
            if (parser.hasNext()) {
                throw mismatch(parser, "text after the object");
            }
            return completion;
        } catch (JsonException e) {
            throw e;
        } catch (IllegalStateException | java.util.NoSuchElementException e) {
            throw new JsonException("not a chat completion: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (Json.tooDeep(e)) {
                throw new JsonException("not a chat completion: nested deeper than " + Json.MAX_NESTING, e);
            }
            throw e;
        }
    }

    private static ChatCompletion completion(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        String id = null;
        String model = null;
        List<ChatCompletion.Choice> choices = null;
        CompletionUsage usage = null;
        JsonValue error = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "id" -> id = string(p, value);
                case "model" -> model = string(p, value);
                case "choices" -> choices = list(p, value, ChatCompletionReader::choice);
                case "usage" -> usage = usage(p, value);
                case "error" -> error = value(p, value);
                default -> skip(p, value);
            }
        }
        return new ChatCompletion(id, model, choices, usage, error);
    }

    private static ChatCompletion.Choice choice(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        Integer index = null;
        ChatCompletion.Delta message = null;
        ChatCompletion.Delta delta = null;
        String finishReason = null;
        JsonValue stopReason = null;
        JsonValue matchedStop = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "index" -> index = integer(p, value);
                case "message" -> message = delta(p, value);
                case "delta" -> delta = delta(p, value);
                case "finish_reason" -> finishReason = string(p, value);
                case "stop_reason" -> stopReason = value(p, value);
                case "matched_stop" -> matchedStop = value(p, value);
                default -> skip(p, value);
            }
        }
        return new ChatCompletion.Choice(index, message, delta, finishReason, stopReason, matchedStop);
    }

    private static ChatCompletion.Delta delta(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        String role = null;
        JsonValue content = null;
        String refusal = null;
        List<ToolCall> toolCalls = null;
        String reasoningContent = null;
        String reasoning = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "role" -> role = string(p, value);
                case "content" -> content = value(p, value);
                case "refusal" -> refusal = string(p, value);
                case "tool_calls" -> toolCalls = list(p, value, ChatCompletionReader::toolCall);
                case "reasoning_content" -> reasoningContent = string(p, value);
                case "reasoning" -> reasoning = string(p, value);
                default -> skip(p, value);
            }
        }
        return new ChatCompletion.Delta(role, content, refusal, toolCalls, reasoningContent, reasoning);
    }

    private static ToolCall toolCall(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        Integer index = null;
        String id = null;
        String type = null;
        ToolCall.FunctionCall function = null;
        JsonObject extraContent = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "index" -> index = integer(p, value);
                case "id" -> id = string(p, value);
                case "type" -> type = string(p, value);
                case "function" -> function = function(p, value);
                case "extra_content" -> extraContent = object(p, value);
                default -> skip(p, value);
            }
        }
        return new ToolCall(index, id, type, function, extraContent);
    }

    private static ToolCall.FunctionCall function(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        String name = null;
        String arguments = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "name" -> name = string(p, value);
                case "arguments" -> arguments = string(p, value);
                default -> skip(p, value);
            }
        }
        return new ToolCall.FunctionCall(name, arguments);
    }

    private static CompletionUsage usage(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        Integer prompt = null;
        Integer completion = null;
        Integer total = null;
        CompletionUsage.PromptTokensDetails details = null;
        Integer cacheHit = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "prompt_tokens" -> prompt = integer(p, value);
                case "completion_tokens" -> completion = integer(p, value);
                case "total_tokens" -> total = integer(p, value);
                case "prompt_tokens_details" -> details = details(p, value);
                case "prompt_cache_hit_tokens" -> cacheHit = integer(p, value);
                default -> skip(p, value);
            }
        }
        return new CompletionUsage(prompt, completion, total, details, cacheHit);
    }

    private static CompletionUsage.PromptTokensDetails details(JsonParser p, Event start) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, start);
        Integer cached = null;
        Integer cacheWrite = null;
        while (p.next() == Event.KEY_NAME) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "cached_tokens" -> cached = integer(p, value);
                case "cache_write_tokens" -> cacheWrite = integer(p, value);
                default -> skip(p, value);
            }
        }
        return new CompletionUsage.PromptTokensDetails(cached, cacheWrite);
    }

    private interface Item<T> {
        T read(JsonParser parser, Event start);
    }

    private static <T> List<T> list(JsonParser p, Event start, Item<T> item) {
        if (start == Event.VALUE_NULL) {
            return null;
        }
        if (start != Event.START_ARRAY) {
            throw mismatch(p, "an array");
        }
        List<T> items = new ArrayList<>(2);
        for (Event next = p.next(); next != Event.END_ARRAY; next = p.next()) {
            items.add(item.read(p, next));
        }
        return items;
    }

    /** Text; a number or a boolean is taken as its JSON text, as binding took it. */
    private static String string(JsonParser p, Event value) {
        switch (value) {
            case VALUE_STRING:
            case VALUE_NUMBER:
                return p.getString();
            case VALUE_TRUE:
                return "true";
            case VALUE_FALSE:
                return "false";
            case VALUE_NULL:
                return null;
            default:
                throw mismatch(p, "text");
        }
    }

    /**
     * A count: a number, or text holding one (as binding took it), its fraction dropped. Binding
     * wrapped a count past {@code int}'s range around to a wrong one; this refuses it.
     */
    private static Integer integer(JsonParser p, Event value) {
        BigDecimal number;
        switch (value) {
            case VALUE_NUMBER:
                try {
                    number = p.getBigDecimal();
                } catch (NumberFormatException exponentPastRange) {
                    throw mismatch(p, "a number of int's range");
                }
                break;
            case VALUE_STRING:
                try {
                    number = new BigDecimal(p.getString());
                } catch (NumberFormatException notANumber) {
                    throw mismatch(p, "a number");
                }
                break;
            case VALUE_NULL:
                return null;
            default:
                throw mismatch(p, "a number");
        }
        if (number.compareTo(INT_MIN) < 0 || number.compareTo(INT_MAX) > 0) {
            throw mismatch(p, "a number of int's range");
        }
        return number.intValue();
    }

    /** Any value, as JSON-P's tree; JSON's null is {@link JsonValue#NULL}, as binding gave. */
    private static JsonValue value(JsonParser p, Event value) {
        return value == Event.VALUE_NULL ? JsonValue.NULL : p.getValue();
    }

    private static JsonObject object(JsonParser p, Event value) {
        if (value == Event.VALUE_NULL) {
            return null;
        }
        expectObject(p, value);
        return p.getObject();
    }

    /** Skips a value by walking it: Parsson's {@code skipObject} spins at the end of input. */
    private static void skip(JsonParser p, Event value) {
        int depth = value == Event.START_OBJECT || value == Event.START_ARRAY ? 1 : 0;
        while (depth > 0) {
            Event next = p.next();
            if (next == Event.START_OBJECT || next == Event.START_ARRAY) {
                depth++;
            } else if (next == Event.END_OBJECT || next == Event.END_ARRAY) {
                depth--;
            }
        }
    }

    private static void expectObject(JsonParser p, Event start) {
        if (start != Event.START_OBJECT) {
            throw mismatch(p, "an object");
        }
    }

    private static JsonParsingException mismatch(JsonParser p, String expected) {
        return new JsonParsingException("not a chat completion: expected " + expected, p.getLocation());
    }
}
