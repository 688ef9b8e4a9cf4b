package dev.claudeproxy.anthropic;

import jakarta.json.bind.annotation.JsonbNillable;
import jakarta.json.bind.annotation.JsonbPropertyOrder;

/**
 * The Anthropic streaming events. Each event's {@code type} is also its SSE event name, which
 * the SDKs dispatch on.
 */
public sealed interface StreamEvent {

    String type();

    record MessageStart(String type, Message message) implements StreamEvent {
        public MessageStart(Message message) {
            this("message_start", message);
        }

        /** The message's hash, for the reason {@link Message#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(message);
        }
    }

    @JsonbPropertyOrder({"type", "index", "contentBlock"})
    record ContentBlockStart(String type, int index, ContentBlock contentBlock) implements StreamEvent {
        public ContentBlockStart(int index, ContentBlock contentBlock) {
            this("content_block_start", index, contentBlock);
        }
    }

    @JsonbPropertyOrder({"type", "index", "delta"})
    record ContentBlockDelta(String type, int index, Delta delta) implements StreamEvent {
        public ContentBlockDelta(int index, Delta delta) {
            this("content_block_delta", index, delta);
        }
    }

    @JsonbPropertyOrder({"type", "index"})
    record ContentBlockStop(String type, int index) implements StreamEvent {
        public ContentBlockStop(int index) {
            this("content_block_stop", index);
        }
    }

    @JsonbPropertyOrder({"type", "delta", "usage"})
    record MessageDelta(String type, StopInfo delta, Usage usage) implements StreamEvent {
        public MessageDelta(StopInfo delta, Usage usage) {
            this("message_delta", delta, usage);
        }
    }

    record StopInfo(@JsonbNillable String stopReason, @JsonbNillable String stopSequence) {
    }

    record MessageStop(String type) implements StreamEvent {
        public MessageStop() {
            this("message_stop");
        }
    }

    record Ping(String type) implements StreamEvent {
        public Ping() {
            this("ping");
        }
    }

    /** The {@code error} event, and also the body of every HTTP error response. */
    @JsonbPropertyOrder({"type", "error"})
    record ErrorEvent(String type, ErrorDetail error) implements StreamEvent {
        public ErrorEvent(String errorType, String message) {
            this("error", new ErrorDetail(errorType, message));
        }
    }

    record ErrorDetail(String type, String message) {
    }

    sealed interface Delta {
        String type();
    }

    record TextDelta(String type, String text) implements Delta {
        public TextDelta(String text) {
            this("text_delta", text);
        }
    }

    record InputJsonDelta(String type, String partialJson) implements Delta {
        public InputJsonDelta(String partialJson) {
            this("input_json_delta", partialJson);
        }
    }

    record ThinkingDelta(String type, String thinking) implements Delta {
        public ThinkingDelta(String thinking) {
            this("thinking_delta", thinking);
        }
    }

    /** A citation for the open text block, before the text that follows it. */
    record CitationsDelta(String type, ContentBlock.WebSearchCitation citation) implements Delta {
        public CitationsDelta(ContentBlock.WebSearchCitation citation) {
            this("citations_delta", citation);
        }
    }

    record SignatureDelta(String type, String signature) implements Delta {
        public SignatureDelta(String signature) {
            this("signature_delta", signature);
        }
    }
}
