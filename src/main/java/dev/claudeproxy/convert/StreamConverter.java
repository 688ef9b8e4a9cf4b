package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockDelta;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStart;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStop;
import dev.claudeproxy.anthropic.StreamEvent.ErrorEvent;
import dev.claudeproxy.anthropic.StreamEvent.InputJsonDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageStart;
import dev.claudeproxy.anthropic.StreamEvent.MessageStop;
import dev.claudeproxy.anthropic.StreamEvent.SignatureDelta;
import dev.claudeproxy.anthropic.StreamEvent.ThinkingDelta;
import dev.claudeproxy.anthropic.StreamEvent.TextDelta;
import dev.claudeproxy.anthropic.Usage;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import dev.claudeproxy.openai.ChatCompletion.Delta;
import dev.claudeproxy.openai.CompletionUsage;
import dev.claudeproxy.openai.ToolCall;
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
 * carries exactly one {@code input_json_delta} holding a complete JSON object; then
 * {@code message_delta} (stop reason, real usage) and {@code message_stop}, or instead one
 * {@code error} event.
 *
 * <p><b>Tool arguments are buffered per call, not forwarded fragment by fragment.</b> Forwarding
 * cannot take anything back: when an upstream is cut off by its token limit, sends arguments that
 * are not a JSON object, sends none at all, or interleaves the fragments of parallel calls, the
 * client would already hold an unparsable or misattributed input (the Python SDK validates every
 * prefix, the TypeScript one parses at block stop). Buffering lets each call be keyed by id or
 * index (Gemini sends whole calls without an index, Ollama all with index 0), validated and
 * repaired before anything is sent. It costs nothing for upstreams that send each call whole
 * (Gemini, Ollama, Groq, Mistral) and only delays the display of a streaming call's input for
 * the others; text is still forwarded as it comes.
 */
public final class StreamConverter {

    private static final Logger LOG = Logger.getLogger(StreamConverter.class.getName());

    private final String clientModel;
    private final List<String> stopSequences;
    private final Target target;
    private final UsageEstimate estimate;
    private final ThinkTagSplitter thinkTags = new ThinkTagSplitter();
    /** Signs the open thinking block as its text streams by, so the text itself is not kept. */
    private ThinkingSignatures.Signer thinkingSignature;
    private final int maxToolArgumentChars;
    private final OutputTally output;
    private final List<PendingTool> pendingTools = new ArrayList<>();
    private final Map<String, PendingTool> toolsById = new HashMap<>();
    private final Map<Integer, PendingTool> toolsByIndex = new HashMap<>();
    private PendingTool lastTool;
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
     * @param stopSequences the request's {@code stop_sequences}, to report which one matched
     * @param target the upstream, whose thinking signatures this stream's thinking blocks get
     * @param estimate how to count tokens when the upstream reports no usage
     * @param maxToolArgumentChars the longest arguments one tool call may have: they are held until
     *     the call is complete, so an upstream must not be able to grow them without end
     */
    public StreamConverter(String clientModel, List<String> stopSequences, Target target, UsageEstimate estimate,
                           int maxToolArgumentChars) {
        this.clientModel = clientModel;
        this.stopSequences = stopSequences;
        this.target = target;
        this.estimate = estimate;
        this.output = estimate.output();
        this.maxToolArgumentChars = maxToolArgumentChars;
    }

    /** The {@code message_start} event; to be sent as soon as the upstream has answered 200. */
    public List<StreamEvent> start() {
        if (started) {
            throw new IllegalStateException("start() was already called");
        }
        started = true;
        // Chat Completions reports usage only at the end; the real values follow in message_delta.
        return List.of(new MessageStart(new Message(Ids.messageId(), clientModel, List.of(), null, Usage.ZERO)));
    }

    /** The events one upstream chunk produces (often none). After an error chunk, {@link #ended()} is true. */
    public List<StreamEvent> onChunk(ChatCompletion chunk) {
        checkStarted();
        List<StreamEvent> out = new ArrayList<>(3);
        if (ended) {
            return out;
        }
        if (chunk.error() != null && chunk.error().getValueType() != JsonValue.ValueType.NULL) {
            out.add(midStreamError(chunk.error()));
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
                }
                if (delta.toolCalls() != null) {
                    for (ToolCall call : delta.toolCalls()) {
                        if (call != null && !addFragment(call)) {
                            out.add(new ErrorEvent("api_error", "upstream sent a tool call whose arguments pass "
                                    + maxToolArgumentChars + " characters, this gateway's limit for one call"));
                            ended = true;
                            return out;
                        }
                    }
                }
            }
            if (choice.finishReason() != null) {
                finishReason = choice.finishReason();
                matchedStopSequence = StopReasons.matchedStopSequence(choice, stopSequences);
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
        ended = true;
        if (!sawDone && finishReason == null) {
            out.add(new ErrorEvent("api_error", "upstream stream ended unexpectedly"));
            return out;
        }
        segments(thinkTags.finish(), out);
        flushTools(out);
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

    /** Whether the stream has ended, with {@code message_stop} or an {@code error} event. */
    public boolean ended() {
        return ended;
    }

    private void checkStarted() {
        if (!started) {
            throw new IllegalStateException("start() must come first");
        }
    }

    /**
     * Files a tool-call fragment under its call: a new non-empty id starts a call even when the
     * index repeats (Gemini, older Ollama); a fragment without id follows its index, or else the
     * latest call.
     *
     * @return false when the call's arguments would pass their limit
     */
    private boolean addFragment(ToolCall call) {
        String id = call.id() == null || call.id().isEmpty() ? null : call.id();
        PendingTool tool;
        if (id != null) {
            tool = toolsById.get(id);
            if (tool == null) {
                tool = newTool(call.index());
                toolsById.put(id, tool);
            }
        } else if (call.index() != null) {
            tool = toolsByIndex.get(call.index());
            if (tool == null) {
                tool = newTool(call.index());
            }
        } else if (lastTool == null || (lastTool.name != null && hasName(call))) {
            // no id, no index: a fragment that names a function again starts a new call
            tool = newTool(null);
        } else {
            tool = lastTool;
        }
        if (tool.emitted) {
            LOG.warning("upstream sent more of a tool call after text followed it; fragment dropped");
            return true;
        }
        if (tool.thoughtSignature.isEmpty()) {
            tool.thoughtSignature = ThoughtSignatures.of(call);
        }
        if (call.function() != null) {
            String name = call.function().name();
            if (name != null && !name.isEmpty() && tool.name == null) {
                tool.name = name;
            }
            String arguments = call.function().arguments();
            if (arguments != null) {
                if (tool.arguments.length() + arguments.length() > maxToolArgumentChars) {
                    return false;
                }
                tool.arguments.append(arguments);
            }
        }
        return true;
    }

    private static boolean hasName(ToolCall call) {
        return call.function() != null && call.function().name() != null && !call.function().name().isEmpty();
    }

    private PendingTool newTool(Integer index) {
        PendingTool tool = new PendingTool();
        pendingTools.add(tool);
        if (index != null) {
            toolsByIndex.put(index, tool);
        }
        lastTool = tool;
        return tool;
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
        flushTools(out);
        closeText(out);
        if (openThinkingIndex < 0) {
            openThinkingIndex = nextIndex++;
            out.add(new ContentBlockStart(openThinkingIndex, new ThinkingBlock("", "")));
            thinkingSignature = target.signatures().signer(target.authority());
        }
        out.add(new ContentBlockDelta(openThinkingIndex, new ThinkingDelta(reasoning)));
        thinkingSignature.add(reasoning);
        output.add(reasoning);
    }

    private void text(String text, List<StreamEvent> out) {
        flushTools(out);
        closeThinking(out);
        openText(out);
        out.add(new ContentBlockDelta(openTextIndex, new TextDelta(text)));
        output.add(text);
    }

    /** A thinking block ends with its signature, which lets this gateway recognise it when it comes back. */
    private void closeThinking(List<StreamEvent> out) {
        if (openThinkingIndex >= 0) {
            out.add(new ContentBlockDelta(openThinkingIndex, new SignatureDelta(thinkingSignature.signature())));
            out.add(new ContentBlockStop(openThinkingIndex));
            openThinkingIndex = -1;
            thinkingSignature = null;
        }
    }

    private void flushTools(List<StreamEvent> out) {
        if (pendingTools.isEmpty()) {
            return;
        }
        closeText(out);
        closeThinking(out);
        for (PendingTool tool : pendingTools) {
            tool.emitted = true;
            if (tool.name == null) {
                LOG.warning("upstream tool call without a function name dropped");
                continue;
            }
            int index = nextIndex++;
            String input = ToolArguments.parse(tool.arguments.toString()).toString();
            output.add(tool.name);
            output.add(input);
            out.add(new ContentBlockStart(index, new ToolUseBlock(ThoughtSignatures.toolUseId(tool.thoughtSignature),
                    tool.name, JsonValue.EMPTY_JSON_OBJECT)));
            out.add(new ContentBlockDelta(index, new InputJsonDelta(input)));
            out.add(new ContentBlockStop(index));
            anyTool = true;
        }
        pendingTools.clear();
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
    private static ErrorEvent midStreamError(JsonValue error) {
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
        return new ErrorEvent(type, "upstream error: " + (message.length() > 500 ? message.substring(0, 500) : message));
    }

    /** A tool call being received; its block is emitted whole once it cannot grow any more. */
    private static final class PendingTool {
        private String name;
        private Optional<String> thoughtSignature = Optional.empty();
        private final StringBuilder arguments = new StringBuilder();
        private boolean emitted;
    }
}
