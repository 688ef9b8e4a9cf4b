package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.Message;
import dev.claudeproxy.anthropic.StreamEvent;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockDelta;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStart;
import dev.claudeproxy.anthropic.StreamEvent.ContentBlockStop;
import dev.claudeproxy.anthropic.StreamEvent.InputJsonDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageDelta;
import dev.claudeproxy.anthropic.StreamEvent.MessageStart;
import dev.claudeproxy.anthropic.StreamEvent.MessageStop;
import dev.claudeproxy.anthropic.StreamEvent.SignatureDelta;
import dev.claudeproxy.anthropic.StreamEvent.StopInfo;
import dev.claudeproxy.anthropic.StreamEvent.TextDelta;
import dev.claudeproxy.anthropic.StreamEvent.ThinkingDelta;
import dev.claudeproxy.anthropic.Usage;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole message replayed as the event sequence a stream would have carried; for upstreams that
 * answer a stream request with a single JSON document.
 */
public final class MessageEvents {

    private MessageEvents() {
    }

    public static List<StreamEvent> of(Message message) {
        List<StreamEvent> events = new ArrayList<>();
        Usage usage = message.usage();
        events.add(new MessageStart(new Message(message.id(), message.model(), List.of(), null,
                new Usage(usage.inputTokens(), 0, usage.cacheCreationInputTokens(), usage.cacheReadInputTokens()))));
        for (int index = 0; index < message.content().size(); index++) {
            ContentBlock block = message.content().get(index);
            if (block instanceof ThinkingBlock thinking) {
                events.add(new ContentBlockStart(index, new ThinkingBlock("", "")));
                events.add(new ContentBlockDelta(index, new ThinkingDelta(thinking.thinking())));
                events.add(new ContentBlockDelta(index, new SignatureDelta(thinking.signature())));
            } else if (block instanceof TextBlock text) {
                events.add(new ContentBlockStart(index, new TextBlock("")));
                events.add(new ContentBlockDelta(index, new TextDelta(text.text())));
            } else if (block instanceof ToolUseBlock toolUse) {
                events.add(new ContentBlockStart(index,
                        new ToolUseBlock(toolUse.id(), toolUse.name(), JsonValue.EMPTY_JSON_OBJECT)));
                events.add(new ContentBlockDelta(index, new InputJsonDelta(toolUse.input().toString())));
            } else {
                throw new IllegalArgumentException("a converted message holds no " + block.type() + " block");
            }
            events.add(new ContentBlockStop(index));
        }
        events.add(new MessageDelta(new StopInfo(message.stopReason(), message.stopSequence()), usage));
        events.add(new MessageStop());
        return events;
    }
}
