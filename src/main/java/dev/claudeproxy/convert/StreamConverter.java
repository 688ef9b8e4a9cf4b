package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.StopReason;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockDelta;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStart;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStop;
import dev.claudeproxy.anthropic.StreamEvent.ErrorEvent;
import dev.claudeproxy.anthropic.StreamEvent.InputJsonDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageStart;
import dev.claudeproxy.anthropic.StreamEvent.MessageStop;
import dev.claudeproxy.anthropic.StreamEvent.SignatureDelta;
import dev.claudeproxy.anthropic.StreamEvent.StopInfo;
import dev.claudeproxy.anthropic.StreamEvent.TextDelta;
import dev.claudeproxy.anthropic.StreamEvent.ThinkingDelta;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.anthropic.Usage;
import dev.claudeproxy.error.UpstreamErrors;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import dev.claudeproxy.openai.ChatCompletion.Delta;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.CompletionUsage;
import dev.claudeproxy.openai.ToolCall;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Converts one upstream Chat Completions stream into the Anthropic event sequence, chunk by chunk.
 * Single use and not thread-safe: one instance per exchange, fed from one thread in order
 * {@link #start()}, {@link #onChunk} any number of times, {@link #onEnd}.
 *
 * <p>What it guarantees, because strict clients (the SDKs' accumulators) throw otherwise: exactly
 * one {@code message_start}; reasoning as {@code thinking} blocks, each closed with a signed
 * {@code signature_delta} before any other block opens; blocks strictly in sequence, {@code start(i) → delta(i)* → stop(i)}
 * with i = 0, 1, 2..., never two open at once; no empty text block; every {@code tool_use} block
 * carries at least one {@code input_json_delta}, and its fragments join into one JSON object, every
 * prefix of which is a valid JSON prefix; then {@code message_delta} (stop reason, real usage) and
 * {@code message_stop}, or instead one {@code error} event.
 *
 * <p><b>Tool input streams as the Anthropic API streams it.</b> A call's block opens when its
 * name is known and its arguments begin with '{', and each argument fragment is forwarded as it
 * arrives, checked on the way ({@link JsonPrefix}): a long Write shows its file growing, and a
 * client's stream watchdog sees events. The call ends when the next call, text or reasoning
 * begins, or the stream ends; arguments that are then not one whole JSON object end the stream
 * with an error event naming the tool, never a silently wrong {@code tool_use} (but for an answer
 * cut by its token limit, whose {@code max_tokens} stop reason says so, as Anthropic's own does).
 * Calls are told apart by id, then index, and a name sent again starts a new call (Ollama sends
 * whole calls all on index 0); one streams at a time, and a call whose fragments interleave with
 * the streaming one's is held until that one is whole. Arguments are also held back and sent whole, repaired where they can be,
 * only where the upstream's shape requires it: arguments that are not an object, and Gemini,
 * whose calls carry a thought signature the block's id must hold (Gemini sends whole calls anyway).
 */
public final class StreamConverter {

    private static final Logger LOG = Logger.getLogger(StreamConverter.class.getName());

    private final String clientModel;
    private final StopSequences stopSequences;
    /** Cuts the text at the stop sequences the upstream was not given, when there are any. */
    private final Optional<StopSequences.Cutter> cutter;
    private final Target target;
    private final UsageEstimate estimate;
    private final ThinkTagSplitter thinkTags = new ThinkTagSplitter();
    /** Signs the open thinking block as its text streams by, so the text itself is not kept. */
    private ThinkingSigner.Incremental thinkingSignature;
    /** The upstream's opaque reasoning state the open thinking block's signature carries, or null. */
    private String carried;
    private final int maxToolArgumentChars;
    private final OutputTally output;
    /** Calls whose arguments are held back, in the order they began: sent whole, in that order. */
    private final List<PendingTool> heldTools = new ArrayList<>();
    private final Map<String, PendingTool> toolsById = new HashMap<>();
    private final Map<Integer, PendingTool> toolsByIndex = new HashMap<>();
    /** The call fragments go to, the latest begun. */
    private PendingTool lastTool;
    /** The call whose block is open, its input streaming. */
    private PendingTool streamingTool;
    private boolean started;
    private boolean ended;
    private boolean anyTool;
    private int nextIndex;
    private int openTextIndex = -1;
    private int openThinkingIndex = -1;
    private String finishReason;
    private Optional<String> matchedStopSequence = Optional.empty();
    private CompletionUsage usage;

    /**
     * @param clientModel the model the client asked for, echoed in {@code message_start}
     * @param stopSequences the request's {@code stop_sequences}: to report the one an upstream
     *     stopped on, and to cut the answer at those it was not given
     * @param target the upstream, whose thinking signatures this stream's thinking blocks get
     * @param estimate how to count tokens when the upstream reports no usage
     * @param maxToolArgumentChars the longest arguments one tool call may have: they are held until
     *     the call is complete, so an upstream must not be able to grow them without end
     */
    public StreamConverter(String clientModel, StopSequences stopSequences, Target target, UsageEstimate estimate,
                           int maxToolArgumentChars) {
        this.clientModel = clientModel;
        this.stopSequences = stopSequences;
        this.cutter = stopSequences.cutter();
        this.target = target;
        this.estimate = estimate;
        this.output = estimate.output();
        this.maxToolArgumentChars = maxToolArgumentChars;
    }

    /**
     * The {@code message_start} event, with the estimated input tokens; to be sent as soon as the
     * upstream has answered 200.
     */
    public List<StreamEvent> start() {
        if (started) {
            throw new IllegalStateException("start() was already called");
        }
        started = true;
        // Chat Completions reports usage only at the end: message_start carries the local estimate of
        // the input, all of it as uncached input; message_delta carries the upstream's real figures
        // (every field, so an accumulator that takes them replaces the estimate).
        return List.of(new MessageStart(new Message(Ids.messageId(), clientModel, List.of(), null,
                new Usage(estimate.inputTokens(), 0, 0, 0))));
    }

    /** The events one upstream chunk produces (often none). After an error chunk, {@link #ended()} is true. */
    public List<StreamEvent> onChunk(ChatCompletion chunk) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(3);
        if (ended) {
            return out;
        }
        if (chunk.error() != null && chunk.error().getValueType() != JsonValue.ValueType.NULL) {
            out.add(midStreamError(chunk.error(), target.relaysErrors()));
            ended = true;
            return out;
        }
        if (chunk.usage() != null) {
            usage = chunk.usage();
        }
        if (chunk.choices() == null) {
            return out;
        }
        for (Choice choice : chunk.choices()) {
            if (choice == null || (choice.index() != null && choice.index() != 0)) {
                continue;
            }
            Delta delta = choice.delta() != null ? choice.delta() : choice.message();
            if (delta != null) {
                String reasoning = AssistantText.reasoning(delta);
                if (!reasoning.isEmpty()) {
                    thinking(reasoning, out);
                }
                String content = AssistantText.of(delta);
                if (!content.isEmpty()) {
                    segments(thinkTags.feed(content), out);
                    if (ended) {
                        return out;
                    }
                }
                if (delta.toolCalls() != null) {
                    for (ToolCall call : delta.toolCalls()) {
                        if (call != null) {
                            toolFragment(call, out);
                        }
                        if (ended) {
                            return out;
                        }
                    }
                }
            }
            if (choice.finishReason() != null) {
                finishReason = choice.finishReason();
                matchedStopSequence = StopReasons.matchedStopSequence(choice, stopSequences.requested());
            }
        }
        return out;
    }

    /**
     * The closing events when the upstream stream ends.
     *
     * @param sawDone whether {@code data: [DONE]} arrived; a stream that ends without it and
     *     without any finish reason was cut off, and ends with an {@code error} event
     */
    public List<StreamEvent> onEnd(boolean sawDone) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(6);
        if (ended) {
            return out;
        }
        if (!sawDone && finishReason == null) {
            ended = true;
            out.add(new ErrorEvent("api_error", "upstream stream ended unexpectedly"));
            return out;
        }
        segments(thinkTags.finish(), out);
        if (ended) {
            return out;
        }
        cutter.ifPresent(held -> appendText(held.finish(), out));
        endTools(out, "length".equals(finishReason));
        if (ended) {
            return out;
        }
        ended = true;
        closeText(out);
        closeThinking(out);
        Usage finalUsage;
        if (usage != null) {
            finalUsage = Usages.of(usage);
        } else {
            finalUsage = estimate.of(output);
            LOG.fine("upstream stream reported no usage; estimated it with the local tokenizer");
        }
        out.add(new MessageDelta(StopReasons.decide(finishReason, anyTool, matchedStopSequence), finalUsage));
        out.add(new MessageStop());
        return out;
    }

    /**
     * The upstream's opaque state of the reasoning just streamed (a Responses API upstream's
     * encrypted reasoning), carried in the thinking block's signature so that the next turn can
     * give it back; a thinking block is opened for it when its reasoning had no text.
     */
    public List<StreamEvent> carryReasoning(String opaque) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(2);
        if (ended || opaque.isEmpty()) {
            return out;
        }
        openThinking(out);
        if (!ended) {
            carried = carried == null ? opaque : carried + " " + opaque;
        }
        return out;
    }

    /**
     * A web search the upstream ran on its own servers (OpenAI's hosted search), as Anthropic's API
     * shows its own: a {@code server_tool_use} block with the query, then the
     * {@code web_search_tool_result} block listing the pages, each whole.
     */
    public List<StreamEvent> webSearch(ResponsesAnswers.Search search) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(5);
        endTools(out, false);
        if (ended) {
            return out;
        }
        closeText(out);
        closeThinking(out);
        String id = Ids.serverToolUseId();
        int call = nextIndex++;
        String input = search.input().toString();
        out.add(new ContentBlockStart(call, new ContentBlock.ServerToolUseBlock(id, "web_search", JsonValue.EMPTY_JSON_OBJECT)));
        out.add(new ContentBlockDelta(call, new InputJsonDelta(input)));
        out.add(new ContentBlockStop(call));
        int result = nextIndex++;
        out.add(new ContentBlockStart(result, new ContentBlock.WebSearchToolResultBlock(id, search.results())));
        out.add(new ContentBlockStop(result));
        output.add(input);
        return out;
    }

    /**
     * Citations of the text streamed so far, as {@code citations_delta}s of the open text block;
     * none when no text block is open (its text was cut at a stop sequence, or has not come).
     */
    public List<StreamEvent> cite(List<ContentBlock.WebSearchCitation> citations) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(citations.size());
        if (ended || openTextIndex < 0 || cutter.flatMap(StopSequences.Cutter::matched).isPresent()) {
            return out;
        }
        for (ContentBlock.WebSearchCitation citation : citations) {
            out.add(new ContentBlockDelta(openTextIndex, new StreamEvent.CitationsDelta(citation)));
        }
        return out;
    }

    /** Whether the stream has ended, with {@code message_stop} or an {@code error} event. */
    public boolean ended() {
        return ended;
    }

    private void checkStarted() {
        if (!started) {
            throw new IllegalStateException("start() must come first");
        }
    }

    /** One fragment of a tool call: filed under its call, then forwarded or held back. */
    private void toolFragment(ToolCall call, List<StreamEvent> out) {
        PendingTool tool = callOf(call);
        if (tool.done) {
            LOG.warning("upstream sent more of a tool call after it had ended; fragment dropped");
            return;
        }
        if (tool.thoughtSignature.isEmpty()) {
            tool.thoughtSignature = GeminiThoughtSignatures.of(call);
        }
        String arguments = "";
        if (call.function() != null) {
            String name = call.function().name();
            if (name != null && !name.isEmpty() && tool.name == null) {
                tool.name = name;
            }
            arguments = call.function().arguments() == null ? "" : call.function().arguments();
        }
        if (tool.chars + (long) arguments.length() > maxToolArgumentChars) {
            fail("upstream sent a tool call whose arguments pass " + maxToolArgumentChars
                    + " characters, this gateway's limit for one call", out);
            return;
        }
        tool.chars += arguments.length();
        if (tool == streamingTool) {
            forward(tool, arguments, out);
            return;
        }
        tool.held.append(arguments);
        if (streamingTool != null) {
            if (!streamingTool.prefix.complete()) {
                return; // interleaved with the streaming call: held until that one is whole
            }
            endStreamingTool(out, false);
        }
        streamIfReady(tool, out);
    }

    /**
     * Opens the call's block once its name is known and its arguments begin with '{'; arguments
     * that begin otherwise are not an object, and the call is held back whole to be repaired.
     */
    private void streamIfReady(PendingTool tool, List<StreamEvent> out) {
        if (tool.wholeOnly || tool.name == null || target.profile().has(Profile.Trait.THOUGHT_SIGNATURES)) {
            return;
        }
        int first = firstNonWhitespace(tool.held);
        if (first < 0) {
            return;
        }
        if (tool.held.charAt(first) != '{') {
            tool.wholeOnly = true;
            return;
        }
        openStreamingTool(tool, out);
    }

    /**
     * The call a fragment belongs to: a new non-empty id starts a call even when the index repeats
     * (Gemini, older Ollama); a fragment without id follows its index, or else the latest call; a
     * fragment that names a function again, for a call that already has a name and arguments,
     * starts a new one (whole calls all on index 0).
     */
    private PendingTool callOf(ToolCall call) {
        String id = call.id() == null || call.id().isEmpty() ? null : call.id();
        if (id != null) {
            PendingTool known = toolsById.get(id);
            if (known != null) {
                return known;
            }
            PendingTool tool = newTool(call.index());
            toolsById.put(id, tool);
            return tool;
        }
        PendingTool tool = call.index() != null ? toolsByIndex.get(call.index()) : lastTool;
        if (tool == null || (tool.name != null && tool.chars > 0 && hasName(call))) {
            return newTool(call.index());
        }
        return tool;
    }

    private static boolean hasName(ToolCall call) {
        return call.function() != null && call.function().name() != null && !call.function().name().isEmpty();
    }

    private PendingTool newTool(Integer index) {
        PendingTool tool = new PendingTool();
        heldTools.add(tool);
        if (index != null) {
            toolsByIndex.put(index, tool);
        }
        lastTool = tool;
        return tool;
    }

    /** Opens a call's block, after the calls held back before it, and forwards what it has so far. */
    private void openStreamingTool(PendingTool tool, List<StreamEvent> out) {
        int position = heldTools.indexOf(tool);
        sendHeldTools(heldTools.subList(0, position), out);
        heldTools.remove(tool);
        closeText(out);
        closeThinking(out);
        tool.blockIndex = nextIndex++;
        tool.prefix = new JsonPrefix();
        out.add(new ContentBlockStart(tool.blockIndex, new ToolUseBlock(GeminiThoughtSignatures.toolUseId(tool.thoughtSignature),
                tool.name, JsonValue.EMPTY_JSON_OBJECT)));
        output.add(tool.name);
        anyTool = true;
        streamingTool = tool;
        String pending = tool.held.toString();
        tool.held.setLength(0);
        forward(tool, pending, out);
    }

    private void forward(PendingTool tool, String fragment, List<StreamEvent> out) {
        if (fragment.isEmpty()) {
            return;
        }
        tool.prefix.feed(fragment);
        if (!tool.prefix.valid()) {
            fail("upstream sent arguments for the tool " + tool.name + " that are not valid JSON", out);
            return;
        }
        out.add(new ContentBlockDelta(tool.blockIndex, new InputJsonDelta(fragment)));
        output.add(fragment);
        if (tool.prefix.complete() && !heldTools.isEmpty()) {
            // whole now: calls interleaved with it may stream in their turn
            endStreamingTool(out, false);
            streamIfReady(heldTools.get(0), out);
        }
    }

    /**
     * Closes the streaming call's block when its arguments are one whole JSON object; else ends
     * the stream with an error naming the tool, unless the answer was cut by its token limit.
     */
    private void endStreamingTool(List<StreamEvent> out, boolean cutByLength) {
        PendingTool tool = streamingTool;
        if (tool == null) {
            return;
        }
        streamingTool = null;
        tool.done = true;
        if (!tool.prefix.complete() && !cutByLength) {
            fail("upstream ended the tool call " + tool.name + " with arguments that are not one whole JSON object", out);
            return;
        }
        out.add(new ContentBlockStop(tool.blockIndex));
    }

    /** Every call, when something else begins or the stream ends: the streaming one closed, the held ones sent. */
    private void endTools(List<StreamEvent> out, boolean cutByLength) {
        endStreamingTool(out, cutByLength);
        if (!ended) {
            sendHeldTools(heldTools, out);
        }
    }

    private void fail(String message, List<StreamEvent> out) {
        out.add(new ErrorEvent("api_error", message));
        ended = true;
    }

    private static int firstNonWhitespace(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private void segments(List<ThinkTagSplitter.Segment> segments, List<StreamEvent> out) {
        for (ThinkTagSplitter.Segment segment : segments) {
            if (segment.thinking()) {
                thinking(segment.text(), out);
            } else {
                text(segment.text(), out);
            }
        }
    }

    /** Reasoning goes into a thinking block, which must close before any text or tool block opens. */
    private void thinking(String reasoning, List<StreamEvent> out) {
        openThinking(out);
        if (ended) {
            return;
        }
        out.add(new ContentBlockDelta(openThinkingIndex, new ThinkingDelta(reasoning)));
        thinkingSignature.add(reasoning);
        output.add(reasoning);
    }

    private void openThinking(List<StreamEvent> out) {
        endTools(out, false);
        if (ended) {
            return;
        }
        closeText(out);
        if (openThinkingIndex < 0) {
            openThinkingIndex = nextIndex++;
            out.add(new ContentBlockStart(openThinkingIndex, new ThinkingBlock("", "")));
            thinkingSignature = target.thinkingSigner().incremental(target.authority());
        }
    }

    /** Visible text, cut where a stop sequence the upstream was not given appears in it. */
    private void text(String text, List<StreamEvent> out) {
        if (cutter.isEmpty()) {
            appendText(text, out);
            return;
        }
        appendText(cutter.get().feed(text), out);
        Optional<String> matched = cutter.get().matched();
        if (matched.isPresent() && !ended) {
            stopAt(matched.get(), out);
        }
    }

    private void appendText(String text, List<StreamEvent> out) {
        if (text.isEmpty()) {
            return;
        }
        endTools(out, false);
        if (ended) {
            return;
        }
        closeThinking(out);
        openText(out);
        out.add(new ContentBlockDelta(openTextIndex, new TextDelta(text)));
        output.add(text);
    }

    /**
     * The answer reached a stop sequence the gateway cuts at: it ends here, as the Messages API
     * ends it, whatever the upstream sends after (the exchange stops reading). The upstream has
     * not reported its usage yet, so the output is counted locally.
     */
    private void stopAt(String sequence, List<StreamEvent> out) {
        ended = true;
        closeText(out);
        closeThinking(out);
        out.add(new MessageDelta(new StopInfo(StopReason.STOP_SEQUENCE.wireName(), sequence),
                usage != null ? Usages.of(usage) : estimate.of(output)));
        out.add(new MessageStop());
    }

    /** A thinking block ends with its signature, which lets this gateway recognise it when it comes back. */
    private void closeThinking(List<StreamEvent> out) {
        if (openThinkingIndex >= 0) {
            out.add(new ContentBlockDelta(openThinkingIndex, new SignatureDelta(thinkingSignature.signature(carried))));
            carried = null;
            out.add(new ContentBlockStop(openThinkingIndex));
            openThinkingIndex = -1;
            thinkingSignature = null;
        }
    }

    /** Sends calls held back, each whole and repaired, in the order they began, and forgets them. */
    private void sendHeldTools(List<PendingTool> tools, List<StreamEvent> out) {
        if (tools.isEmpty()) {
            return;
        }
        closeText(out);
        closeThinking(out);
        for (PendingTool tool : tools) {
            tool.done = true;
            if (tool.name == null) {
                LOG.warning("upstream tool call without a function name dropped");
                continue;
            }
            int index = nextIndex++;
            String input = ToolArguments.parse(tool.held.toString()).toString();
            output.add(tool.name);
            output.add(input);
            out.add(new ContentBlockStart(index, new ToolUseBlock(GeminiThoughtSignatures.toolUseId(tool.thoughtSignature),
                    tool.name, JsonValue.EMPTY_JSON_OBJECT)));
            out.add(new ContentBlockDelta(index, new InputJsonDelta(input)));
            out.add(new ContentBlockStop(index));
            anyTool = true;
        }
        tools.clear();
    }

    private void openText(List<StreamEvent> out) {
        if (openTextIndex < 0) {
            openTextIndex = nextIndex++;
            out.add(new ContentBlockStart(openTextIndex, new TextBlock("")));
        }
    }

    private void closeText(List<StreamEvent> out) {
        if (openTextIndex >= 0) {
            out.add(new ContentBlockStop(openTextIndex));
            openTextIndex = -1;
        }
    }

    /** A provider error inside a 200 stream (OpenRouter, vLLM): overloaded when it says so, else api_error. */
    private static ErrorEvent midStreamError(JsonValue error, boolean relayed) {
        String message = error.toString();
        String type = "api_error";
        if (error instanceof JsonObject object) {
            if (object.get("message") instanceof JsonString text) {
                message = text.getString();
            }
            JsonValue code = object.get("code");
            int status = code instanceof JsonNumber number ? number.intValue() : 0;
            if (status == 503 || status == 529 || message.toLowerCase(Locale.ROOT).contains("overloaded")) {
                type = "overloaded_error";
            } else if (status == 429) {
                type = "rate_limit_error";
            }
        }
        return new ErrorEvent(type, "upstream error: " + (!relayed ? UpstreamErrors.withheld(message)
                : message.length() > 500 ? message.substring(0, 500) : message));
    }

    /** A tool call being received: its input streaming in its open block, or held back to be sent whole. */
    private static final class PendingTool {
        private String name;
        private Optional<String> thoughtSignature = Optional.empty();
        /** Arguments not forwarded yet: all of them, for a call held back. */
        private final StringBuilder held = new StringBuilder();
        /** Every argument character received, for the per-call bound. */
        private long chars;
        /** The index of its open block while its input streams; -1 before. */
        private int blockIndex = -1;
        private JsonPrefix prefix;
        /** Its arguments are not an object: held back, sent whole and repaired. */
        private boolean wholeOnly;
        /** Its block has been closed, or it was sent whole. */
        private boolean done;
    }
}
