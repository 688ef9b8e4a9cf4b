package dev.claudeproxy.convert;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import dev.claudeproxy.anthropic.ContentBlock;
import dev.claudeproxy.anthropic.ContentBlock.DocumentBlock;
import dev.claudeproxy.anthropic.ContentBlock.ImageBlock;
import dev.claudeproxy.anthropic.ContentBlock.OtherBlock;
import dev.claudeproxy.anthropic.ContentBlock.TextBlock;
import dev.claudeproxy.anthropic.ContentBlock.ThinkingBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolResultBlock;
import dev.claudeproxy.anthropic.ContentBlock.ToolUseBlock;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequest.InputMessage;
import dev.claudeproxy.anthropic.MessagesRequest.Tool;
import java.util.List;
import java.util.Locale;

/**
 * Counts tokens locally with OpenAI's BPE encodings (o200k for current models, cl100k for the
 * GPT-4/3.5 family): for {@code count_tokens}, and to estimate usage when an upstream reports
 * none. Other model families use other tokenizers, so counts for them are estimates within a few
 * percent for English and code. Thread-safe.
 */
public final class TokenCounter {

    /**
     * An image as Anthropic counts it, (width × height) / 750, at the about 1.15 megapixels
     * images are scaled to; the gateway does not decode images to learn their size.
     */
    static final int IMAGE_TOKENS = 1600;
    /** Role and separators each message adds in chat templates. */
    private static final int PER_MESSAGE = 4;
    /** Framing of each tool definition in the prompt. */
    private static final int PER_TOOL = 8;

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    private TokenCounter() {
    }

    /** The input tokens of a request as an upstream of {@code upstreamModel} would count them. */
    public static int countInput(MessagesRequest request, String upstreamModel) {
        Encoding encoding = encodingFor(upstreamModel);
        long tokens = 0;
        for (TextBlock system : request.system()) {
            tokens += encoding.countTokensOrdinary(system.text());
        }
        if (!request.system().isEmpty()) {
            tokens += PER_MESSAGE;
        }
        for (InputMessage message : request.messages()) {
            tokens += PER_MESSAGE + count(message.content(), encoding);
        }
        for (Tool tool : request.tools()) {
            tokens += PER_TOOL + encoding.countTokensOrdinary(tool.name());
            if (tool.description() != null) {
                tokens += encoding.countTokensOrdinary(tool.description());
            }
            if (tool.inputSchema() != null) {
                tokens += encoding.countTokensOrdinary(tool.inputSchema().toString());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    /** The tokens of a text, as an upstream of {@code upstreamModel} would count them. */
    public static int countText(String text, String upstreamModel) {
        return encodingFor(upstreamModel).countTokensOrdinary(text);
    }

    private static long count(List<ContentBlock> blocks, Encoding encoding) {
        long tokens = 0;
        for (ContentBlock block : blocks) {
            if (block instanceof TextBlock text) {
                tokens += encoding.countTokensOrdinary(text.text());
            } else if (block instanceof ImageBlock) {
                tokens += IMAGE_TOKENS;
            } else if (block instanceof ToolUseBlock toolUse) {
                tokens += encoding.countTokensOrdinary(toolUse.name()) + encoding.countTokensOrdinary(toolUse.input().toString());
            } else if (block instanceof ToolResultBlock result) {
                tokens += PER_MESSAGE + count(result.content(), encoding);
            } else if (block instanceof ThinkingBlock thinking) {
                tokens += encoding.countTokensOrdinary(thinking.thinking());
            } else if (block instanceof DocumentBlock document) {
                tokens += documentTokens(document, encoding);
            } else if (block instanceof OtherBlock other) {
                tokens += encoding.countTokensOrdinary(other.raw().toString());
            }
            // redacted_thinking is opaque to every upstream: it is never sent, so it costs nothing.
        }
        return tokens;
    }

    private static long documentTokens(DocumentBlock document, Encoding encoding) {
        String data = document.source().data();
        return switch (document.source().type()) {
            case "text" -> data == null ? 0 : encoding.countTokensOrdinary(data);
            case "content" -> count(document.content(), encoding);
            // A PDF's text is unknown without parsing it; about one token per 4 bytes of file is typical.
            default -> data == null ? IMAGE_TOKENS : (long) data.length() * 3 / 4 / 4;
        };
    }

    static Encoding encodingFor(String model) {
        String lower = model == null ? "" : model.toLowerCase(Locale.ROOT);
        boolean gpt4Family = lower.contains("gpt-4") && !lower.contains("gpt-4o") && !lower.contains("gpt-4.1")
                && !lower.contains("gpt-4.5");
        if (gpt4Family || lower.contains("gpt-3.5")) {
            return REGISTRY.getEncoding(EncodingType.CL100K_BASE);
        }
        return REGISTRY.getEncoding(EncodingType.O200K_BASE);
    }
}
