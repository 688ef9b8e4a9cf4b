package dev.claudeproxy.convert;

import static dev.claudeproxy.json.Json.JSON_P;

import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import dev.claudeproxy.openai.ChatCompletion.Delta;
import dev.claudeproxy.openai.CompletionUsage;
import dev.claudeproxy.openai.ToolCall;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A Responses API answer → the chat completion it means, for {@link ResponseConverter}: output
 * items in order (message text and refusals, function calls, reasoning summaries), the status as a
 * finish reason, the usage. Unknown output items are skipped and logged. Pure.
 */
public final class ResponsesAnswers {

    private static final Logger LOG = Logger.getLogger(ResponsesAnswers.class.getName());

    private ResponsesAnswers() {
    }

    /**
     * A whole answer as the chat completion it means, and the encrypted state of its reasoning
     * (its reasoning items' {@code encrypted_content}, space-separated), for the thinking block's
     * signature to carry to the next turn.
     *
     * @param completion the answer for {@link ResponseConverter}; a chat completion's own answers
     *     carry no reasoning state
     */
    public record Answer(ChatCompletion completion, Optional<String> carriedReasoning, List<Search> searches,
                         List<ContentBlock.WebSearchCitation> citations) {

        /** A chat completion's answer: nothing beyond it. */
        public static Answer of(ChatCompletion completion) {
            return new Answer(completion, Optional.empty(), List.of(), List.of());
        }
    }

    /** A hosted web search the upstream ran: its query and the pages it used (titles where the answer cites them, else the URL). */
    public record Search(String query, List<ContentBlock.WebSearchResult> results) {

        /** The {@code server_tool_use} input that ran it: {@code {query}}. */
        public JsonObject input() {
            return JSON_P.createObjectBuilder().add("query", query).build();
        }
    }

    /**
     * A {@code web_search_call} item as the search it ran; empty for its other actions (opening or
     * finding in a page). The pages are its {@code action.sources}, else those {@code titles} names.
     *
     * @param titles page titles by URL, from the answer's citations
     */
    static Optional<Search> search(JsonObject item, Map<String, String> titles) {
        if (!(item.get("action") instanceof JsonObject action) || !"search".equals(string(action, "type"))) {
            return Optional.empty();
        }
        Map<String, String> pages = new LinkedHashMap<>();
        if (action.get("sources") instanceof jakarta.json.JsonArray sources) {
            for (JsonValue source : sources) {
                if (source instanceof JsonObject page && !string(page, "url").isEmpty()) {
                    pages.put(string(page, "url"), titles.getOrDefault(string(page, "url"), string(page, "url")));
                }
            }
        } else {
            pages.putAll(titles);
        }
        return Optional.of(new Search(string(action, "query"), pages.entrySet().stream()
                .map(page -> new ContentBlock.WebSearchResult(page.getKey(), page.getValue())).toList()));
    }

    /** The longest passage of an answer a citation quotes, as Anthropic's {@code cited_text} is bounded. */
    static final int MAX_CITED_CHARS = 150;

    /**
     * A {@code url_citation} annotation of an answer's {@code text} as the citation it is: the page,
     * and the passage of the answer between its indexes (characters, as the API counts them); empty
     * for any other annotation.
     */
    static Optional<ContentBlock.WebSearchCitation> citation(JsonObject annotation, CharSequence text) {
        if (!"url_citation".equals(string(annotation, "type")) || string(annotation, "url").isEmpty()) {
            return Optional.empty();
        }
        String url = string(annotation, "url");
        String all = text.toString();
        int points = all.codePointCount(0, all.length());
        Integer startIndex = integer(annotation, "start_index");
        Integer endIndex = integer(annotation, "end_index");
        int start = Math.max(0, Math.min(points, startIndex == null ? 0 : startIndex));
        int end = Math.max(start, Math.min(points, endIndex == null ? start : endIndex));
        String cited = all.substring(all.offsetByCodePoints(0, start), all.offsetByCodePoints(0, end));
        if (cited.codePointCount(0, cited.length()) > MAX_CITED_CHARS) {
            cited = cited.substring(0, cited.offsetByCodePoints(0, MAX_CITED_CHARS));
        }
        return Optional.of(new ContentBlock.WebSearchCitation(url, string(annotation, "title").isEmpty() ? url
                : string(annotation, "title"), cited));
    }

    /** The citations of an answer's {@code output_text} parts, in order (an annotation's indexes count within its part). */
    private static List<ContentBlock.WebSearchCitation> citations(jakarta.json.JsonArray output) {
        List<ContentBlock.WebSearchCitation> citations = new ArrayList<>();
        for (JsonValue value : output) {
            if (value instanceof JsonObject item && "message".equals(string(item, "type"))
                    && item.get("content") instanceof jakarta.json.JsonArray parts) {
                for (JsonValue part : parts) {
                    if (part instanceof JsonObject text && "output_text".equals(string(text, "type"))
                            && text.get("annotations") instanceof jakarta.json.JsonArray annotations) {
                        for (JsonValue annotation : annotations) {
                            if (annotation instanceof JsonObject object) {
                                citation(object, string(text, "text")).ifPresent(citations::add);
                            }
                        }
                    }
                }
            }
        }
        return citations;
    }

    /**
     * @param body a {@code response} object, as a non-streamed call answers
     * @throws JsonException when it is not JSON or not a response object
     */
    public static Answer read(String body) {
        JsonValue value = Json.readValue(new StringReader(body));
        if (!(value instanceof JsonObject response) || !(response.get("output") instanceof jakarta.json.JsonArray
                || response.get("error") instanceof JsonObject)) {
            throw new JsonException("not a Responses API response object");
        }
        List<String> carried = new ArrayList<>();
        List<Search> searches = new ArrayList<>();
        List<ContentBlock.WebSearchCitation> citations = List.of();
        if (response.get("output") instanceof jakarta.json.JsonArray output) {
            citations = citations(output);
            // The pages a search used are titled as the answer cites them.
            Map<String, String> titles = new LinkedHashMap<>();
            citations.forEach(citation -> titles.putIfAbsent(citation.url(), citation.title()));
            for (JsonValue element : output) {
                if (!(element instanceof JsonObject item)) {
                    continue;
                }
                if ("reasoning".equals(string(item, "type")) && !string(item, "encrypted_content").isEmpty()) {
                    carried.add(string(item, "encrypted_content"));
                } else if ("web_search_call".equals(string(item, "type"))) {
                    search(item, titles).ifPresent(searches::add);
                }
            }
        }
        return new Answer(toCompletion(response), carried.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", carried)),
                List.copyOf(searches), List.copyOf(citations));
    }

    static ChatCompletion toCompletion(JsonObject response) {
        if ("failed".equals(string(response, "status")) || response.get("error") instanceof JsonObject) {
            return failed(response.get("error"));
        }
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonValue value : response.getJsonArray("output")) {
            if (!(value instanceof JsonObject item)) {
                continue;
            }
            switch (string(item, "type")) {
                case "message" -> {
                    for (JsonValue part : item.getJsonArray("content")) {
                        if (part instanceof JsonObject content) {
                            switch (string(content, "type")) {
                                case "output_text" -> text.append(string(content, "text"));
                                case "refusal" -> refusal.append(string(content, "refusal"));
                                default -> LOG.fine(() -> "skipped a message part of type " + string(content, "type"));
                            }
                        }
                    }
                }
                case "function_call" -> calls.add(new ToolCall(calls.size(), string(item, "call_id"), "function",
                        new ToolCall.FunctionCall(string(item, "name"), string(item, "arguments")), null));
                case "reasoning" -> {
                    for (String summary : summaries(item)) {
                        if (!reasoning.isEmpty()) {
                            reasoning.append("\n\n");
                        }
                        reasoning.append(summary);
                    }
                }
                case "web_search_call" -> {
                    // its search blocks are made from the whole answer (read)
                }
                default -> LOG.info(() -> "skipped a Responses output item of type '" + string(item, "type")
                        + "', which has no Anthropic form here");
            }
        }
        Delta message = new Delta("assistant", text.isEmpty() ? JsonValue.NULL : JSON_P.createValue(text.toString()),
                refusal.isEmpty() ? null : refusal.toString(), calls.isEmpty() ? null : calls,
                reasoning.isEmpty() ? null : reasoning.toString(), null);
        Choice choice = new Choice(0, message, null, finishReason(response, !calls.isEmpty()), null, null);
        return new ChatCompletion(string(response, "id"), string(response, "model"), List.of(choice), usage(response), null);
    }

    /** A response's status as a Chat Completions finish reason. */
    static String finishReason(JsonObject response, boolean called) {
        if ("incomplete".equals(string(response, "status"))) {
            String reason = response.get("incomplete_details") instanceof JsonObject details ? string(details, "reason") : "";
            return switch (reason) {
                case "max_output_tokens" -> "length";
                case "content_filter" -> "content_filter";
                default -> {
                    LOG.info(() -> "a Responses answer was incomplete for a reason this gateway does not know: '" + reason
                            + "'; told as max_tokens");
                    yield "length";
                }
            };
        }
        return called ? "tool_calls" : "stop";
    }

    /** {@code usage} in Chat Completions terms: input (cached within it) and output tokens (reasoning within it). */
    static CompletionUsage usage(JsonObject response) {
        if (!(response.get("usage") instanceof JsonObject usage)) {
            return null;
        }
        Integer cached = usage.get("input_tokens_details") instanceof JsonObject details ? integer(details, "cached_tokens") : null;
        return new CompletionUsage(integer(usage, "input_tokens"), integer(usage, "output_tokens"),
                integer(usage, "total_tokens"), cached == null ? null : new CompletionUsage.PromptTokensDetails(cached, null), null);
    }

    /** A failed response's or an {@code error} event's error as a chunk's error: its message, and a status where its code names one. */
    static ChatCompletion failed(JsonValue error) {
        var described = JSON_P.createObjectBuilder();
        if (error instanceof JsonObject object) {
            described.add("message", string(object, "message").isEmpty() ? object.toString() : string(object, "message"));
            String code = object.get("code") instanceof JsonString text ? text.getString().toLowerCase(Locale.ROOT) : "";
            if (code.contains("rate_limit")) {
                described.add("code", 429);
            } else if (code.contains("overloaded")) {
                described.add("code", 503);
            }
        } else {
            described.add("message", "the upstream's response failed without saying why");
        }
        return new ChatCompletion(null, null, null, null, described.build());
    }

    /**
     * A reasoning item's text: its summary parts, else (open-weight models served by vLLM or
     * Ollama, gpt-oss) its {@code reasoning_text} content.
     */
    static List<String> summaries(JsonObject reasoningItem) {
        List<String> texts = new ArrayList<>();
        for (String field : List.of("summary", "content")) {
            if (texts.isEmpty() && reasoningItem.get(field) instanceof jakarta.json.JsonArray parts) {
                for (JsonValue part : parts) {
                    if (part instanceof JsonObject object && !string(object, "text").isEmpty()) {
                        texts.add(string(object, "text"));
                    }
                }
            }
        }
        return texts;
    }

    static String string(JsonObject object, String name) {
        return object.get(name) instanceof JsonString text ? text.getString() : "";
    }

    static Integer integer(JsonObject object, String name) {
        return object.get(name) instanceof JsonNumber number ? number.intValue() : null;
    }
}
