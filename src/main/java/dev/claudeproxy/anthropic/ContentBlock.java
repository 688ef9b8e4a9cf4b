package dev.claudeproxy.anthropic;

import jakarta.json.JsonObject;
import java.util.List;

/** A content block of the Anthropic Messages API, in requests and responses. */
public sealed interface ContentBlock {

    /** The block's {@code type} on the wire. */
    String type();

    record TextBlock(String type, String text) implements ContentBlock {
        public TextBlock(String text) {
            this("text", text);
        }
    }

    /** {@code source} of type {@code base64} (mediaType, data) or {@code url} (url). */
    record ImageBlock(String type, Source source) implements ContentBlock {
        public ImageBlock(Source source) {
            this("image", source);
        }
    }

    /** An image or document source; fields not used by its {@code type} are null. */
    record Source(String type, String mediaType, String data, String url) {
    }

    /** A document: {@code source} of type text, content (blocks in {@code content}), base64/url PDF. */
    record DocumentBlock(String type, Source source, List<ContentBlock> content, String title)
            implements ContentBlock {
    }

    record ToolUseBlock(String type, String id, String name, JsonObject input) implements ContentBlock {
        public ToolUseBlock(String id, String name, JsonObject input) {
            this("tool_use", id, name, input);
        }
    }

    record ToolResultBlock(String type, String toolUseId, List<ContentBlock> content, boolean isError)
            implements ContentBlock {
    }

    record ThinkingBlock(String type, String thinking, String signature) implements ContentBlock {
        public ThinkingBlock(String thinking, String signature) {
            this("thinking", thinking, signature);
        }
    }

    record RedactedThinkingBlock(String type, String data) implements ContentBlock {
    }

    /** A tool loaded by tool search: Anthropic's API adds that tool's definition to the model's tools. */
    record ToolReferenceBlock(String type, String toolName) implements ContentBlock {
        public ToolReferenceBlock(String toolName) {
            this("tool_reference", toolName);
        }
    }

    /** Any other block type (server tool blocks, search results...), kept raw. */
    record OtherBlock(String type, JsonObject raw) implements ContentBlock {
    }
}
