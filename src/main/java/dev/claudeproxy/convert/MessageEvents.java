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
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A whole message replayed as the event sequence a stream would have carried, for upstreams that
 * answer a stream request with a single JSON document; and back, an event sequence as the message
 * it makes, for upstreams that stream an answer to a request that asked for none.
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

    /**
     * The message a whole event sequence makes, as an SDK accumulates it.
     *
     * @throws ProxyException for an {@code error} event: its type and message, with its type's status
     */
    public static Message message(List<StreamEvent> events) {
        Message shell = null;
        List<ContentBlock> content = new ArrayList<>();
        ContentBlock open = null;
        StringBuilder text = new StringBuilder();
        StringBuilder signature = new StringBuilder();
        StopInfo stop = new StopInfo(null, null);
        Usage usage = null;
        for (StreamEvent event : events) {
            if (event instanceof MessageStart start) {
                shell = start.message();
                usage = shell.usage();
            } else if (event instanceof ContentBlockStart start) {
                open = start.contentBlock();
                text.setLength(0);
                signature.setLength(0);
            } else if (event instanceof ContentBlockDelta delta) {
                if (delta.delta() instanceof TextDelta part) {
                    text.append(part.text());
                } else if (delta.delta() instanceof ThinkingDelta part) {
                    text.append(part.thinking());
                } else if (delta.delta() instanceof InputJsonDelta part) {
                    text.append(part.partialJson());
                } else if (delta.delta() instanceof SignatureDelta part) {
                    signature.append(part.signature());
                }
            } else if (event instanceof ContentBlockStop && open != null) {
                content.add(whole(open, text.toString(), signature.toString()));
                open = null;
            } else if (event instanceof MessageDelta delta) {
                stop = delta.delta();
                usage = delta.usage();
            } else if (event instanceof StreamEvent.ErrorEvent error) {
                ErrorType type = Arrays.stream(ErrorType.values()).filter(known -> known.wireName().equals(error.error().type()))
                        .findFirst().orElse(ErrorType.API);
                throw new ProxyException(type == ErrorType.API ? 502 : type.status(), type, error.error().message(), Map.of());
            }
        }
        if (shell == null) {
            throw new IllegalArgumentException("an event sequence without message_start");
        }
        return new Message(shell.id(), shell.model(), content, stop.stopReason(), stop.stopSequence(), usage);
    }

    private static ContentBlock whole(ContentBlock started, String text, String signature) {
        if (started instanceof ToolUseBlock toolUse) {
            // a call cut by the token limit holds part of an object: kept, as the SDKs keep it
            return new ToolUseBlock(toolUse.id(), toolUse.name(), ToolArguments.parse(text));
        }
        if (started instanceof ThinkingBlock) {
            return new ThinkingBlock(text, signature);
        }
        return new TextBlock(text);
    }
}
