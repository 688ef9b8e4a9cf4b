package dev.claudeproxy.anthropic;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.ContentBlock.DocumentBlock;
import dev.claudeproxy.anthropic.ContentBlock.ImageBlock;
import dev.claudeproxy.anthropic.ContentBlock.OtherBlock;
import dev.claudeproxy.anthropic.ContentBlock.RedactedThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.Source;
import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolReferenceBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolResultBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.MessagesRequest.InputMessage;
import dev.claudeproxy.anthropic.MessagesRequest.Role;
import dev.claudeproxy.anthropic.MessagesRequest.Thinking;
import dev.claudeproxy.anthropic.MessagesRequest.Tool;
import dev.claudeproxy.anthropic.MessagesRequest.ToolChoice;
import dev.claudeproxy.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonValue.ValueType;
import jakarta.json.stream.JsonParsingException;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a Messages API request body into a {@link MessagesRequest}. Unknown fields and block
 * types are tolerated (new Claude Code versions add them all the time); a missing or mistyped
 * required field throws {@link InvalidMessagesRequestException} naming its path.
 *
 * <p>What a body becomes is bounded before it is built: parsed, each JSON value costs a hundred
 * bytes or more however short its text (a body of a million one-character blocks became twenty
 * times its size, and stopped the JVM), so the values are counted first, in one linear pass:
 * past {@link #MAX_VALUES} the body is refused ({@link RequestTooLargeException}), and the caller's
 * {@link ValueBudget} is charged for them before a value is built. Counts no real client reaches
 * are refused as Anthropic's API refuses what it does not take (400): more than
 * {@link #MAX_MESSAGES} messages, {@link #MAX_CONTENT_BLOCKS} content blocks,
 * {@link #MAX_TOOLS} tools or {@link #MAX_STOP_SEQUENCES} stop sequences.
 */
public final class MessagesRequestReader {

    /**
     * The most JSON values (objects, arrays, keys, elements) a body may hold: room for the Messages
     * API's 100,000 messages; Claude Code's largest requests hold a few tens of thousands.
     */
    public static final long MAX_VALUES = 1_000_000;
    /** The Messages API's own limit. */
    public static final int MAX_MESSAGES = 100_000;
    /** Content blocks in all of a request's messages, tool results' included. */
    public static final int MAX_CONTENT_BLOCKS = 100_000;
    public static final int MAX_TOOLS = 10_000;
    public static final int MAX_STOP_SEQUENCES = 1_000;

    private static final BigDecimal MAX_INT = BigDecimal.valueOf(Integer.MAX_VALUE);
    private static final BigDecimal MIN_INT = BigDecimal.valueOf(Integer.MIN_VALUE);

    /** What parsing a body will cost, charged before anything is built; refuses by throwing. */
    @FunctionalInterface
    public interface ValueBudget {
        /** A budget that takes any count (the cap {@link #MAX_VALUES} holds all the same). */
        ValueBudget NONE = values -> { };

        void take(long values);
    }

    private MessagesRequestReader() {
    }

    /** Reads a full {@code /v1/messages} request: {@code max_tokens} and {@code messages} required. */
    public static MessagesRequest read(byte[] body) {
        return read(body, ValueBudget.NONE);
    }

    /** Reads a full {@code /v1/messages} request, charging {@code budget} for its values first. */
    public static MessagesRequest read(byte[] body, ValueBudget budget) {
        return read(body, true, budget);
    }

    /** Reads a {@code /v1/messages/count_tokens} request, which has no {@code max_tokens}. */
    public static MessagesRequest readForCounting(byte[] body) {
        return readForCounting(body, ValueBudget.NONE);
    }

    /** Reads a {@code /v1/messages/count_tokens} request, charging {@code budget} for its values first. */
    public static MessagesRequest readForCounting(byte[] body, ValueBudget budget) {
        return read(body, false, budget);
    }

    private static MessagesRequest read(byte[] body, boolean needsMaxTokens, ValueBudget budget) {
        JsonObject root = parse(body, budget);
        JsonValue maxTokens = root.get("max_tokens");
        int maxTokensValue = 1;
        if (needsMaxTokens || maxTokens != null) {
            if (maxTokens == null || maxTokens.getValueType() == ValueType.NULL) {
                throw invalid("max_tokens: Field required");
            }
            if (!(maxTokens instanceof JsonNumber number) || !number.isIntegral()
                    || number.bigDecimalValue().compareTo(BigDecimal.ONE) < 0
                    || number.bigDecimalValue().compareTo(MAX_INT) > 0) {
                throw invalid("max_tokens: must be a whole number from 1 to " + Integer.MAX_VALUE);
            }
            maxTokensValue = clampedInt(number);
        }
        String model = optionalString(root, "model").orElse("");
        if (model.chars().anyMatch(Character::isISOControl)) {
            throw invalid("model: must not contain control characters");
        }
        Optional<JsonObject> outputConfig = root.get("output_config") instanceof JsonObject config
                ? Optional.of(config) : Optional.empty();
        return new MessagesRequest(
                model,
                maxTokensValue,
                system(root.get("system"), "system"),
                messages(root),
                tools(root.get("tools")),
                toolChoice(root.get("tool_choice")),
                optionalNumber(root, "temperature"),
                optionalNumber(root, "top_p"),
                stopSequences(root.get("stop_sequences")),
                root.get("stream") == JsonValue.TRUE,
                thinking(root.get("thinking")),
                outputConfig.flatMap(config -> optionalString(config, "effort")),
                outputConfig.flatMap(MessagesRequestReader::outputFormat),
                root.get("metadata") instanceof JsonObject metadata ? optionalString(metadata, "user_id") : Optional.empty());
    }

    private static JsonObject parse(byte[] body, ValueBudget budget) {
        Json.Shape shape = Json.shape(body, body.length);
        if (shape.deepest() > Json.MAX_NESTING) {
            throw invalid("the request body is nested more than " + Json.MAX_NESTING + " levels deep");
        }
        if (shape.values() > MAX_VALUES) {
            throw new RequestTooLargeException("the request body holds about " + shape.values() + " JSON values;"
                    + " this gateway takes at most " + MAX_VALUES + " (no client's request comes near: send long text"
                    + " as fewer, longer blocks)");
        }
        budget.take(shape.values());
        try {
            JsonValue value = Json.readValue(new ByteArrayInputStream(body));
            if (value.getValueType() != ValueType.OBJECT) {
                throw invalid("the request body must be a JSON object");
            }
            return value.asJsonObject();
        } catch (JsonParsingException e) {
            throw invalid("the request body is not valid JSON: " + e.getMessage());
        } catch (jakarta.json.JsonException e) {
            throw invalid("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static List<InputMessage> messages(JsonObject root) {
        JsonValue value = root.get("messages");
        if (value == null || value.getValueType() == ValueType.NULL) {
            throw invalid("messages: Field required");
        }
        if (value.getValueType() != ValueType.ARRAY) {
            throw invalid("messages: must be an array");
        }
        List<InputMessage> messages = new ArrayList<>();
        JsonArray array = value.asJsonArray();
        if (array.size() > MAX_MESSAGES) {
            throw invalid("messages: " + array.size() + " messages; at most " + MAX_MESSAGES + " are taken");
        }
        for (int i = 0; i < array.size(); i++) {
            String path = "messages." + i;
            JsonObject message = object(array.get(i), path);
            String wire = optionalString(message, "role").orElseThrow(() -> invalid(path + ".role: Field required"));
            Role role = Role.of(wire).orElseThrow(() -> invalid(path + ".role: must be 'user' or 'assistant', not '"
                    + wire + "'"));
            JsonValue content = message.get("content");
            if (content == null || content.getValueType() == ValueType.NULL) {
                throw invalid(path + ".content: Field required");
            }
            messages.add(new InputMessage(role, blocks(content, path + ".content")));
        }
        long blocks = messages.stream().mapToLong(message -> count(message.content())).sum();
        if (blocks > MAX_CONTENT_BLOCKS) {
            throw tooManyBlocks(blocks);
        }
        return List.copyOf(messages);
    }

    /** Content blocks, those inside tool results and documents counted too. */
    private static long count(List<ContentBlock> blocks) {
        long count = blocks.size();
        for (ContentBlock block : blocks) {
            if (block instanceof ToolResultBlock result) {
                count += count(result.content());
            } else if (block instanceof DocumentBlock document) {
                count += count(document.content());
            }
        }
        return count;
    }

    private static InvalidMessagesRequestException tooManyBlocks(long blocks) {
        return invalid("messages: " + blocks + " content blocks; at most " + MAX_CONTENT_BLOCKS + " are taken in one request");
    }

    private static List<TextBlock> system(JsonValue value, String path) {
        if (value == null || value.getValueType() == ValueType.NULL) {
            return List.of();
        }
        List<TextBlock> texts = new ArrayList<>();
        for (ContentBlock block : blocks(value, path)) {
            if (block instanceof TextBlock text) {
                texts.add(text);
            } else {
                throw invalid(path + ": only text blocks are allowed, not '" + block.type() + "'");
            }
        }
        return List.copyOf(texts);
    }

    /** A string (one text block) or an array of content blocks. */
    private static List<ContentBlock> blocks(JsonValue value, String path) {
        if (value instanceof JsonString text) {
            return List.of(new TextBlock(text.getString()));
        }
        if (value.getValueType() != ValueType.ARRAY) {
            throw invalid(path + ": must be a string or an array of content blocks");
        }
        JsonArray array = value.asJsonArray();
        if (array.size() > MAX_CONTENT_BLOCKS) {
            throw tooManyBlocks(array.size());
        }
        List<ContentBlock> blocks = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            blocks.add(block(object(array.get(i), path + "." + i), path + "." + i));
        }
        return List.copyOf(blocks);
    }

    private static ContentBlock block(JsonObject block, String path) {
        String type = optionalString(block, "type").orElseThrow(() -> invalid(path + ".type: Field required"));
        return switch (type) {
            case "text" -> new TextBlock(requiredString(block, "text", path));
            case "image" -> new ImageBlock(source(block, path));
            case "document" -> new DocumentBlock(type, source(block, path),
                    block.containsKey("source") && block.getJsonObject("source").containsKey("content")
                            ? blocks(block.getJsonObject("source").get("content"), path + ".source.content")
                            : List.of(),
                    optionalString(block, "title").orElse(null));
            case "tool_use" -> new ToolUseBlock(
                    requiredString(block, "id", path),
                    requiredString(block, "name", path),
                    block.get("input") instanceof JsonObject input ? input : JsonValue.EMPTY_JSON_OBJECT);
            case "tool_result" -> new ToolResultBlock(type,
                    requiredString(block, "tool_use_id", path),
                    block.get("content") == null || block.get("content").getValueType() == ValueType.NULL
                            ? List.of()
                            : blocks(block.get("content"), path + ".content"),
                    block.get("is_error") == JsonValue.TRUE);
            case "thinking" -> new ThinkingBlock(
                    optionalString(block, "thinking").orElse(""), optionalString(block, "signature").orElse(""));
            case "redacted_thinking" -> new RedactedThinkingBlock(type, optionalString(block, "data").orElse(""));
            case "tool_reference" -> new ToolReferenceBlock(requiredString(block, "tool_name", path));
            default -> new OtherBlock(type, block);
        };
    }

    private static Source source(JsonObject block, String path) {
        JsonObject source = object(block.get("source"), path + ".source");
        return new Source(
                optionalString(source, "type").orElseThrow(() -> invalid(path + ".source.type: Field required")),
                optionalString(source, "media_type").orElse(null),
                source.get("data") instanceof JsonString data ? data.getString() : null,
                optionalString(source, "url").orElse(null));
    }

    private static List<Tool> tools(JsonValue value) {
        if (value == null || value.getValueType() == ValueType.NULL) {
            return List.of();
        }
        if (value.getValueType() != ValueType.ARRAY) {
            throw invalid("tools: must be an array");
        }
        List<Tool> tools = new ArrayList<>();
        JsonArray array = value.asJsonArray();
        if (array.size() > MAX_TOOLS) {
            throw invalid("tools: " + array.size() + " tools; at most " + MAX_TOOLS + " are taken");
        }
        for (int i = 0; i < array.size(); i++) {
            String path = "tools." + i;
            JsonObject tool = object(array.get(i), path);
            tools.add(new Tool(
                    optionalString(tool, "type").orElse(null),
                    requiredString(tool, "name", path),
                    optionalString(tool, "description").orElse(null),
                    tool.get("input_schema") instanceof JsonObject schema ? schema : null,
                    tool.get("strict") == JsonValue.TRUE,
                    tool.get("defer_loading") == JsonValue.TRUE,
                    tool.get("allowed_domains") instanceof JsonArray domains ? domains.stream()
                            .filter(JsonString.class::isInstance).map(domain -> ((JsonString) domain).getString()).toList()
                            : List.of()));
        }
        return List.copyOf(tools);
    }

    private static Optional<ToolChoice> toolChoice(JsonValue value) {
        if (value == null || value.getValueType() == ValueType.NULL) {
            return Optional.empty();
        }
        JsonObject choice = object(value, "tool_choice");
        String wire = requiredString(choice, "type", "tool_choice");
        ToolChoice.Kind type = ToolChoice.Kind.of(wire).orElseThrow(() -> invalid("tool_choice.type: '" + wire
                + "' is not one of auto, any, tool, none"));
        if (type == ToolChoice.Kind.TOOL) {
            requiredString(choice, "name", "tool_choice");
        }
        return Optional.of(new ToolChoice(type, optionalString(choice, "name").orElse(null),
                choice.get("disable_parallel_tool_use") == JsonValue.TRUE));
    }

    /**
     * {@code output_config.format}: an object with a {@code type}; {@code json_schema} needs its
     * {@code schema} object. Other types are kept for the converter to refuse by name.
     */
    private static Optional<JsonObject> outputFormat(JsonObject outputConfig) {
        JsonValue format = outputConfig.get("format");
        if (format == null || format.getValueType() == ValueType.NULL) {
            return Optional.empty();
        }
        JsonObject object = object(format, "output_config.format");
        String type = requiredString(object, "type", "output_config.format");
        if (type.equals("json_schema") && !(object.get("schema") instanceof JsonObject)) {
            throw invalid("output_config.format.schema: Field required (an object)");
        }
        return Optional.of(object);
    }

    private static Optional<Thinking> thinking(JsonValue value) {
        if (!(value instanceof JsonObject thinking)) {
            return Optional.empty();
        }
        String type = optionalString(thinking, "type").orElse("disabled");
        JsonValue budgetTokens = thinking.get("budget_tokens");
        int budget = 0;
        if (budgetTokens != null && budgetTokens.getValueType() != ValueType.NULL) {
            if (!(budgetTokens instanceof JsonNumber number) || !number.isIntegral()
                    || number.bigDecimalValue().signum() < 0
                    || number.bigDecimalValue().compareTo(MAX_INT) > 0) {
                throw invalid("thinking.budget_tokens: must be a whole number from 0 to " + Integer.MAX_VALUE);
            }
            budget = clampedInt(number);
        }
        return Optional.of(new Thinking(type, budget));
    }

    private static List<String> stopSequences(JsonValue value) {
        List<String> sequences = strings(value, "stop_sequences");
        if (sequences.size() > MAX_STOP_SEQUENCES) {
            throw invalid("stop_sequences: " + sequences.size() + " sequences; at most " + MAX_STOP_SEQUENCES + " are taken");
        }
        return sequences;
    }

    private static List<String> strings(JsonValue value, String path) {
        if (value == null || value.getValueType() == ValueType.NULL) {
            return List.of();
        }
        if (value.getValueType() != ValueType.ARRAY) {
            throw invalid(path + ": must be an array of strings");
        }
        List<String> strings = new ArrayList<>();
        for (JsonValue item : value.asJsonArray()) {
            if (!(item instanceof JsonString string)) {
                throw invalid(path + ": must be an array of strings");
            }
            strings.add(string.getString());
        }
        return List.copyOf(strings);
    }

    private static JsonObject object(JsonValue value, String path) {
        if (value == null || value.getValueType() != ValueType.OBJECT) {
            throw invalid(path + ": must be an object");
        }
        return value.asJsonObject();
    }

    private static String requiredString(JsonObject object, String field, String path) {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == ValueType.NULL) {
            throw invalid(path + "." + field + ": Field required");
        }
        if (!(value instanceof JsonString string)) {
            throw invalid(path + "." + field + ": must be a string");
        }
        return string.getString();
    }

    private static Optional<String> optionalString(JsonObject object, String field) {
        return object.get(field) instanceof JsonString string ? Optional.of(string.getString()) : Optional.empty();
    }

    private static Optional<Double> optionalNumber(JsonObject object, String field) {
        JsonValue value = object.get(field);
        if (value == null || value.getValueType() == ValueType.NULL) {
            return Optional.empty();
        }
        if (!(value instanceof JsonNumber number)) {
            throw invalid(field + ": must be a number");
        }
        double finite = number.doubleValue();
        if (!Double.isFinite(finite)) {
            throw invalid(field + ": must be a finite number");
        }
        return Optional.of(finite);
    }

    /**
     * A whole number as an int, clamped to int's range. Compared as a decimal first: a huge
     * exponent ({@code 1e999999}) must not be expanded into a BigInteger, and a long wraps past 2^63.
     */
    private static int clampedInt(JsonNumber number) {
        BigDecimal value = number.bigDecimalValue();
        if (value.compareTo(MAX_INT) > 0) {
            return Integer.MAX_VALUE;
        }
        if (value.compareTo(MIN_INT) < 0) {
            return Integer.MIN_VALUE;
        }
        return value.intValue();
    }

    private static InvalidMessagesRequestException invalid(String message) {
        return new InvalidMessagesRequestException(message);
    }
}
