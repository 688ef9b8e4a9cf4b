package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import dev.claudeproxy.openai.ChatCompletion.Delta;
import dev.claudeproxy.openai.ToolCall;
import dev.claudeproxy.sse.SseEvent;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Responses API event stream → the chat completion chunks it means, one event at a time, for
 * the same {@link StreamConverter} Chat Completions streams go through: text deltas, reasoning
 * summary deltas as reasoning, each {@code function_call} item as a tool call (its
 * {@code output_index} its call index) with its arguments as they stream, and the terminal event
 * ({@code response.completed}, {@code response.incomplete}, {@code response.failed}, {@code error})
 * as the finish reason and usage, or the error. Events with nothing to say are skipped. Single use,
 * not thread-safe.
 */
public final class ResponsesEvents {

    /** Tool call index by the output index of the {@code function_call} item. */
    private final Map<Integer, Integer> calls = new HashMap<>();
    /** Output indexes of calls whose arguments have streamed as deltas. */
    private final Set<Integer> streamed = new HashSet<>();
    /** The reasoning summary part being streamed (item id and summary index), to put a paragraph break between parts. */
    private String summaryPart;
    /** The encrypted state of a reasoning item that has ended, until taken. */
    private String carried;
    /** A web search that has run, until taken. */
    private ResponsesAnswers.Search search;
    /** The output_text part streaming (item id and content index) and its text so far, which citations quote. */
    private String textPart;
    private final StringBuilder partText = new StringBuilder();
    /** Citations of the streamed text, until taken. */
    private final List<ContentBlock.WebSearchCitation> citations = new ArrayList<>();
    private boolean over;

    /**
     * @return the chunk an event means; empty for events that carry nothing to convert
     * @throws JsonException never: data that is not a JSON object is skipped (empty)
     */
    public Optional<ChatCompletion> chunk(SseEvent event) {
        if (over || event.data().isBlank()) {
            return Optional.empty();
        }
        JsonObject data;
        try {
            if (!(Json.readValue(new StringReader(event.data())) instanceof JsonObject object)) {
                return Optional.empty();
            }
            data = object;
        } catch (JsonException notJson) {
            return Optional.empty();
        }
        String type = ResponsesAnswers.string(data, "type");
        if (type.isEmpty() && event.event() != null) {
            type = event.event();
        }
        return switch (type) {
            case "response.output_text.delta" -> {
                String part = ResponsesAnswers.string(data, "item_id") + "#" + data.getOrDefault("content_index", JsonValue.NULL);
                if (!part.equals(textPart)) {
                    textPart = part;
                    partText.setLength(0);
                }
                partText.append(ResponsesAnswers.string(data, "delta"));
                yield text(ResponsesAnswers.string(data, "delta"), null);
            }
            case "response.output_text.annotation.added" -> {
                if (data.get("annotation") instanceof JsonObject annotation) {
                    ResponsesAnswers.citation(annotation, partText).ifPresent(citations::add);
                }
                yield Optional.empty();
            }
            case "response.refusal.delta" -> text(null, ResponsesAnswers.string(data, "delta"));
            case "response.reasoning_summary_text.delta", "response.reasoning_text.delta" -> reasoning(data);
            case "response.output_item.added" -> callBegun(data);
            case "response.function_call_arguments.delta" -> arguments(data);
            case "response.output_item.done" -> callDone(data);
            case "response.completed", "response.incomplete" -> finished(data.getJsonObject("response"));
            case "response.failed" -> {
                over = true;
                JsonValue error = data.get("response") instanceof JsonObject response ? response.get("error") : null;
                yield Optional.of(ResponsesAnswers.failed(error));
            }
            case "error" -> {
                over = true;
                yield Optional.of(ResponsesAnswers.failed(data.get("error") instanceof JsonObject error ? error : data));
            }
            default -> Optional.empty();
        };
    }

    /** Whether a terminal event has come: the stream has nothing more to say. */
    public boolean over() {
        return over;
    }

    private static Optional<ChatCompletion> text(String content, String refusal) {
        return Optional.of(delta(new Delta(null, content == null ? null : JSON_P.createValue(content), refusal, null, null, null)));
    }

    private Optional<ChatCompletion> reasoning(JsonObject data) {
        String part = ResponsesAnswers.string(data, "item_id") + "#" + data.getOrDefault("summary_index", JsonValue.NULL)
                + "#" + data.getOrDefault("content_index", JsonValue.NULL);
        String text = ResponsesAnswers.string(data, "delta");
        if (summaryPart != null && !summaryPart.equals(part)) {
            text = "\n\n" + text;
        }
        summaryPart = part;
        return Optional.of(delta(new Delta(null, null, null, null, text, null)));
    }

    private Optional<ChatCompletion> callBegun(JsonObject data) {
        if (!(data.get("item") instanceof JsonObject item) || !"function_call".equals(ResponsesAnswers.string(item, "type"))) {
            return Optional.empty();
        }
        int output = outputIndex(data);
        int index = calls.size();
        calls.put(output, index);
        String arguments = ResponsesAnswers.string(item, "arguments");
        if (!arguments.isEmpty()) {
            streamed.add(output);
        }
        return Optional.of(call(new ToolCall(index, ResponsesAnswers.string(item, "call_id"), "function",
                new ToolCall.FunctionCall(ResponsesAnswers.string(item, "name"), arguments), null)));
    }

    private Optional<ChatCompletion> arguments(JsonObject data) {
        Integer index = calls.get(outputIndex(data));
        if (index == null) {
            return Optional.empty();
        }
        streamed.add(outputIndex(data));
        return Optional.of(call(new ToolCall(index, null, null,
                new ToolCall.FunctionCall(null, ResponsesAnswers.string(data, "delta")), null)));
    }

    /**
     * The encrypted state of the reasoning item that just ended, once: for the converter to carry in
     * its thinking block's signature ({@link StreamConverter#carryReasoning}).
     */
    public Optional<String> takeCarried() {
        Optional<String> taken = Optional.ofNullable(carried);
        carried = null;
        return taken;
    }

    /** The citations the text streamed so far has been given, once: for the converter to add to its open text block. */
    public List<ContentBlock.WebSearchCitation> takeCitations() {
        if (citations.isEmpty()) {
            return List.of();
        }
        List<ContentBlock.WebSearchCitation> taken = List.copyOf(citations);
        citations.clear();
        return taken;
    }

    /** The web search that just ran, once: for the converter to show as its blocks ({@link StreamConverter#webSearch}). */
    public Optional<ResponsesAnswers.Search> takeSearch() {
        Optional<ResponsesAnswers.Search> taken = Optional.ofNullable(search);
        search = null;
        return taken;
    }

    /**
     * A call whose arguments never streamed as deltas has them whole here; a reasoning item's
     * encrypted state, and a web search's query and pages (titled by their URL: the citations come
     * later), are kept to be taken.
     */
    private Optional<ChatCompletion> callDone(JsonObject data) {
        if (data.get("item") instanceof JsonObject reasoning && "reasoning".equals(ResponsesAnswers.string(reasoning, "type"))
                && !ResponsesAnswers.string(reasoning, "encrypted_content").isEmpty()) {
            carried = ResponsesAnswers.string(reasoning, "encrypted_content");
            return Optional.empty();
        }
        if (data.get("item") instanceof JsonObject call && "web_search_call".equals(ResponsesAnswers.string(call, "type"))) {
            search = ResponsesAnswers.search(call, Map.of()).orElse(null);
            return Optional.empty();
        }
        int output = outputIndex(data);
        Integer index = calls.get(output);
        if (index == null || streamed.contains(output) || !(data.get("item") instanceof JsonObject item)) {
            return Optional.empty();
        }
        streamed.add(output);
        return Optional.of(call(new ToolCall(index, null, null,
                new ToolCall.FunctionCall(null, ResponsesAnswers.string(item, "arguments")), null)));
    }

    private Optional<ChatCompletion> finished(JsonObject response) {
        over = true;
        if (response == null) {
            return Optional.of(ResponsesAnswers.failed(null));
        }
        Choice choice = new Choice(0, null, new Delta(null, null, null, null, null, null),
                ResponsesAnswers.finishReason(response, !calls.isEmpty()), null, null);
        return Optional.of(new ChatCompletion(ResponsesAnswers.string(response, "id"), ResponsesAnswers.string(response, "model"),
                List.of(choice), ResponsesAnswers.usage(response), null));
    }

    private static int outputIndex(JsonObject data) {
        Integer index = ResponsesAnswers.integer(data, "output_index");
        return index == null ? -1 : index;
    }

    private static ChatCompletion call(ToolCall call) {
        return delta(new Delta(null, null, null, List.of(call), null, null));
    }

    private static ChatCompletion delta(Delta delta) {
        return new ChatCompletion(null, null, List.of(new Choice(0, null, delta, null, null, null)), null, null);
    }
}
