package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.StopReason;
import dev.claudeproxy.anthropic.StreamEvent.StopInfo;
import dev.claudeproxy.anthropic.Usage;
import dev.claudeproxy.openai.ChatCompletion.Choice;
import dev.claudeproxy.openai.ChatCompletion.Delta;
import dev.claudeproxy.openai.ChatCompletion;
import dev.claudeproxy.openai.ToolCall;
import dev.claudeproxy.provider.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/** A whole Chat Completions answer → an Anthropic {@code message}. Pure. */
public final class ResponseConverter {

    private static final Logger LOG = Logger.getLogger(ResponseConverter.class.getName());

    private ResponseConverter() {
    }

    /**
     * @param clientModel the model the client asked for, echoed back as Anthropic does
     * @param stopSequences the request's {@code stop_sequences}: to report the one an upstream
     *     stopped on, and to cut the answer at those it was not given
     * @param target the upstream, whose thinking signatures the answer's thinking block gets
     * @param estimate how to count tokens when the upstream reports no usage
     */
    public static Message toMessage(ChatCompletion completion, String clientModel, StopSequences stopSequences,
                                    Target target, UsageEstimate estimate) {
        return toMessage(ResponsesAnswers.Answer.of(completion), clientModel, stopSequences, target, estimate);
    }

    /**
     * @param answer the completion, and what a Responses API upstream's answer holds beyond it:
     *     its encrypted reasoning, carried in the thinking block's signature (the block is made for
     *     it even when the reasoning had no text), and the web searches it ran, shown as Anthropic's
     *     API shows its own, after the thinking and before the text
     */
    public static Message toMessage(ResponsesAnswers.Answer answer, String clientModel, StopSequences stopSequences,
                                    Target target, UsageEstimate estimate) {
        ChatCompletion completion = answer.completion();
        Optional<String> carriedReasoning = answer.carriedReasoning();
        Choice choice = completion.choices() == null || completion.choices().isEmpty()
                ? null : completion.choices().get(0);
        Delta message = choice == null || choice.message() == null
                ? new Delta(null, null, null, null, null, null) : choice.message();
        List<ContentBlock> content = new ArrayList<>();
        StringBuilder reasoning = new StringBuilder(AssistantText.reasoning(message));
        StringBuilder visible = new StringBuilder();
        ThinkTagSplitter thinkTags = new ThinkTagSplitter();
        List<ThinkTagSplitter.Segment> segments = new ArrayList<>(thinkTags.feed(AssistantText.of(message)));
        segments.addAll(thinkTags.finish());
        for (ThinkTagSplitter.Segment segment : segments) {
            (segment.thinking() ? reasoning : visible).append(segment.text());
        }
        if (reasoning.length() > 0 || carriedReasoning.isPresent()) {
            String thinking = reasoning.toString();
            content.add(new ThinkingBlock(thinking,
                    target.thinkingSigner().sign(target.authority(), thinking, carriedReasoning.orElse(null))));
        }
        for (ResponsesAnswers.Search search : answer.searches()) {
            String id = Ids.serverToolUseId();
            content.add(new ContentBlock.ServerToolUseBlock(id, "web_search", search.input()));
            content.add(new ContentBlock.WebSearchToolResultBlock(id, search.results()));
        }
        Optional<StopSequences.Cut> cut = stopSequences.cut(visible.toString());
        String text = cut.map(StopSequences.Cut::before).orElse(visible.toString());
        if (!text.isEmpty()) {
            // A cut answer keeps only the citations of what is left of it.
            List<ContentBlock.WebSearchCitation> citations = answer.citations().stream()
                    .filter(citation -> cut.isEmpty() || text.contains(citation.citedText())).toList();
            content.add(new TextBlock("text", text, citations.isEmpty() ? null : citations));
        }
        // An answer cut at a stop sequence ends there: tool calls come after its text.
        if (message.toolCalls() != null && cut.isEmpty()) {
            for (ToolCall call : message.toolCalls()) {
                String name = call.function() == null ? null : call.function().name();
                if (name == null || name.isEmpty()) {
                    LOG.warning("upstream tool call without a function name dropped");
                    continue;
                }
                content.add(new ToolUseBlock(GeminiThoughtSignatures.toolUseId(GeminiThoughtSignatures.of(call)), name,
                        ToolArguments.parse(call.function().arguments())));
            }
        }
        boolean hasToolCalls = content.stream().anyMatch(block -> block instanceof ToolUseBlock);
        OutputTally output = estimate.output();
        output.add(reasoning);
        output.add(text);
        content.stream().filter(block -> block instanceof ToolUseBlock).map(block -> (ToolUseBlock) block)
                .forEach(toolUse -> output.add(toolUse.name() + toolUse.input()));
        StopInfo stop = cut.map(at -> new StopInfo(StopReason.STOP_SEQUENCE.wireName(), at.sequence()))
                .orElseGet(() -> StopReasons.decide(choice == null ? null : choice.finishReason(), hasToolCalls,
                        StopReasons.matchedStopSequence(choice, stopSequences.requested())));
        Usage usage;
        if (completion.usage() != null) {
            usage = Usages.of(completion.usage());
        } else {
            usage = estimate.of(output);
            LOG.fine("upstream reported no usage; estimated it with the local tokenizer");
        }
        return new Message(Ids.messageId(), clientModel, List.copyOf(content), stop.stopReason(), stop.stopSequence(),
                usage);
    }
}
