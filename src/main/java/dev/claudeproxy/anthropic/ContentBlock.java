package dev.claudeproxy.anthropic;

import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbNillable;
import java.util.List;

/** A content block of the Anthropic Messages API, in requests and responses. */
public sealed interface ContentBlock {

    /** The block's {@code type} on the wire. */
    String type();

    /** @param citations the pages a web search found that the text cites; null (not sent) for none */
    record TextBlock(String type, String text, List<WebSearchCitation> citations) implements ContentBlock {
        public TextBlock(String text) {
            this("text", text, null);
        }

        public TextBlock(String type, String text) {
            this(type, text, null);
        }
    }

    /**
     * A passage of an answer that cites a page a web search found ({@code web_search_result_location}):
     * {@code citedText} is the answer's own words there (the page's are not given), {@code encryptedIndex} empty.
     */
    record WebSearchCitation(String type, String url, String title, String encryptedIndex, String citedText) {
        public WebSearchCitation(String url, String title, String citedText) {
            this("web_search_result_location", url, title, "", citedText);
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

        /** A hash of the id alone, for the reason {@link Message#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(id);
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

    /** A server tool's call, as the API ran it: {@code web_search} with its {@code query}. */
    record ServerToolUseBlock(String type, String id, String name, JsonObject input) implements ContentBlock {
        public ServerToolUseBlock(String id, String name, JsonObject input) {
            this("server_tool_use", id, name, input);
        }

        /** A hash of the id alone, for the reason {@link Message#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(id);
        }
    }

    /** The results of the web search {@code toolUseId} names. */
    record WebSearchToolResultBlock(String type, String toolUseId, List<WebSearchResult> content) implements ContentBlock {
        public WebSearchToolResultBlock(String toolUseId, List<WebSearchResult> content) {
            this("web_search_tool_result", toolUseId, content);
        }
    }

    /**
     * One page a web search found; {@code encryptedContent} is empty where the search engine gives
     * none, and {@code pageAge} null (sent as null: the SDKs read the field).
     */
    record WebSearchResult(String type, String url, String title, String encryptedContent, @JsonbNillable String pageAge) {
        public WebSearchResult(String url, String title) {
            this("web_search_result", url, title, "", null);
        }
    }

    /** Any other block type (server tool blocks, search results...), kept raw. */
    record OtherBlock(String type, JsonObject raw) implements ContentBlock {
        /** A hash of the type alone, for the reason {@link Message#hashCode()} gives. */
        @Override
        public int hashCode() {
            return java.util.Objects.hashCode(type);
        }
    }
}
