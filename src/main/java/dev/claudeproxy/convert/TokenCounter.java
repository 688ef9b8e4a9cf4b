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
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts tokens locally with OpenAI's BPE encodings (o200k for current models, cl100k for the
 * GPT-4/3.5 family): for {@code count_tokens}, and to estimate usage when an upstream reports
 * none. Other model families use other tokenizers, so counts for them are estimates within a few
 * percent for English and code. Thread-safe.
 *
 * <p>The cost is linear and bounded, because the text comes from outsiders: BPE on one long
 * piece (a run of letters with no space) grows far faster than the piece, so texts are counted in
 * slices cut at whitespace, and a run without whitespace in short slices; and one count tokenizes
 * at most {@code exactChars} characters, then extrapolates the rest at the ratio measured so far.
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

    /** What {@code count_tokens} tokenizes exactly before extrapolating: about 0.1 s of work, 0.4 s at worst. */
    public static final int COUNT_TOKENS_EXACT_CHARS = 1 << 20;
    /** The longest slice counted at once; a slice ends at whitespace in its second half when there is one. */
    static final int SLICE = 2048;
    /** A slice of a run without whitespace: BPE stays cheap per character on pieces this short. */
    static final int RUN_SLICE = 256;

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    private TokenCounter() {
    }

    /** The input tokens of a request as an upstream of {@code upstreamModel} would count them. */
    public static int countInput(MessagesRequest request, String upstreamModel) {
        return countInput(request, upstreamModel, COUNT_TOKENS_EXACT_CHARS);
    }

    /**
     * @param exactChars how many characters to tokenize before extrapolating the rest
     */
    public static int countInput(MessagesRequest request, String upstreamModel, int exactChars) {
        Tally tally = new Tally(encodingFor(upstreamModel), exactChars);
        long tokens = 0;
        for (TextBlock system : request.system()) {
            tokens += tally.text(system.text());
        }
        if (!request.system().isEmpty()) {
            tokens += PER_MESSAGE;
        }
        for (InputMessage message : request.messages()) {
            tokens += PER_MESSAGE + count(message.content(), tally);
        }
        for (Tool tool : request.tools()) {
            tokens += PER_TOOL + tally.text(tool.name());
            if (tool.description() != null) {
                tokens += tally.text(tool.description());
            }
            if (tool.inputSchema() != null) {
                tokens += tally.json(tool.inputSchema());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    /** The tokens of a text, as an upstream of {@code upstreamModel} would count them (exactly up to the usual bound). */
    public static int countText(String text, String upstreamModel) {
        return (int) Math.min(Integer.MAX_VALUE, new Tally(encodingFor(upstreamModel), COUNT_TOKENS_EXACT_CHARS).text(text));
    }

    /** A running count of text that arrives in pieces (a streamed answer): see {@link OutputTally}. */
    public static OutputTally outputTally(String upstreamModel) {
        return new OutputTally(new Tally(encodingFor(upstreamModel), COUNT_TOKENS_EXACT_CHARS));
    }

    private static long count(List<ContentBlock> blocks, Tally tally) {
        long tokens = 0;
        for (ContentBlock block : blocks) {
            if (block instanceof TextBlock text) {
                tokens += tally.text(text.text());
            } else if (block instanceof ImageBlock) {
                tokens += IMAGE_TOKENS;
            } else if (block instanceof ToolUseBlock toolUse) {
                tokens += tally.text(toolUse.name()) + tally.json(toolUse.input());
            } else if (block instanceof ToolResultBlock result) {
                tokens += PER_MESSAGE + count(result.content(), tally);
            } else if (block instanceof ThinkingBlock thinking) {
                tokens += tally.text(thinking.thinking());
            } else if (block instanceof DocumentBlock document) {
                tokens += documentTokens(document, tally);
            } else if (block instanceof OtherBlock other) {
                tokens += tally.json(other.raw());
            }
            // redacted_thinking is opaque to every upstream: it is never sent, so it costs nothing.
        }
        return tokens;
    }

    private static long documentTokens(DocumentBlock document, Tally tally) {
        String data = document.source().data();
        return switch (document.source().type()) {
            case "text" -> data == null ? 0 : tally.text(data);
            case "content" -> count(document.content(), tally);
            // A PDF's text is unknown without parsing it; about one token per 4 bytes of file is typical.
            default -> data == null ? IMAGE_TOKENS : (long) data.length() * 3 / 4 / 4;
        };
    }

    /**
     * One count: slices of text tokenized exactly until {@code exactChars} characters have been,
     * then the rest extrapolated at the ratio of tokens to characters seen so far. Single use.
     */
    static final class Tally {
        /** Tokens per character before any text was tokenized: English and code run at about four characters a token. */
        private static final double DEFAULT_RATIO = 0.25;

        private final Encoding encoding;
        private long exactCharsLeft;
        private long tokenizedChars;
        private long tokenizedTokens;

        Tally(Encoding encoding, long exactChars) {
            this.encoding = encoding;
            this.exactCharsLeft = exactChars;
        }

        long text(String text) {
            long tokens = 0;
            int length = text.length();
            for (int start = 0; start < length; ) {
                if (exactCharsLeft <= 0) {
                    double ratio = tokenizedChars == 0 ? DEFAULT_RATIO : (double) tokenizedTokens / tokenizedChars;
                    return tokens + (long) Math.ceil((length - start) * ratio);
                }
                int end = sliceEnd(text, start);
                int counted = Counts.slice(encoding, text.substring(start, end));
                tokens += counted;
                tokenizedTokens += counted;
                tokenizedChars += end - start;
                exactCharsLeft -= end - start;
                start = end;
            }
            return tokens;
        }

        /**
         * The tokens of a JSON value as its compact text: a tool's schema or a call's input, which
         * every turn of a conversation sends again. Told from {@link Counts} by the value itself
         * when it was counted before (a walk of the value, against writing and tokenizing it).
         */
        long json(JsonValue value) {
            Counts.Counted known = Counts.JSON.get(encoding, value);
            if (known != null && exactCharsLeft >= known.chars()) {
                exactCharsLeft -= known.chars();
                tokenizedChars += known.chars();
                tokenizedTokens += known.tokens();
                return known.tokens();
            }
            String text = value.toString();
            boolean exact = exactCharsLeft >= text.length();
            long tokens = text(text);
            if (exact && known == null) {
                Counts.JSON.put(encoding, value, new Counts.Counted(text.length(), (int) tokens));
            }
            return tokens;
        }

        /** Where the slice from {@code start} ends: at whitespace in its second half, or after a short run. */
        static int sliceEnd(String text, int start) {
            int length = text.length();
            if (length - start <= SLICE) {
                return length;
            }
            for (int i = start + SLICE; i > start + SLICE / 2; i--) {
                if (Character.isWhitespace(text.charAt(i))) {
                    return i;
                }
            }
            int end = start + RUN_SLICE;
            // Never between the two halves of a surrogate pair.
            return Character.isLowSurrogate(text.charAt(end)) ? end + 1 : end;
        }
    }

    /**
     * Token counts of recent slices and JSON values, so that what every request of a conversation
     * repeats (Claude Code's system prompt and tool definitions, about 20 KB, and the conversation
     * so far) is tokenized once rather than on every request: a stream's {@code message_start}
     * estimate counts every streamed request, and tokenizing Claude Code's first request cost about
     * 1.7 ms ({@code ConversionBench.inputEstimate}), ten times its conversion. A profile of a 100
     * KB conversation found short slices (a message's text, a call's input) and tool schemas (written
     * out each time) were most of what was left, so they are kept too; only slices too short to be
     * worth a look-up are tokenized each time. Bounded: at most {@link #MAX_ENTRIES} entries of each
     * kind, and 8 Mi characters of slices (16 MiB) or 512 Ki characters of JSON values (whose
     * parsed trees, the keys, weigh about ten times their text), all forgotten when full. What is
     * larger than an eighth of its kind's bound is counted but never kept (a tool's schema is a few
     * KiB; a huge one from an outsider would hold its tree for as long as the cache lasts).
     */
    static final class Counts<K> {
        /** Shorter slices are tokenized: a look-up costs about as much. */
        static final int MIN_CACHED_CHARS = 24;
        static final int MAX_ENTRIES = 32_768;
        static final Counts<String> SLICES = new Counts<>(8L << 20);
        static final Counts<JsonValue> JSON = new Counts<>(512L << 10);
        /** Characters tokenized, all counts together: what {@code TokenCounterTest} watches the caches save. */
        private static final LongAdder TOKENIZED = new LongAdder();

        /** A value's length as compact JSON text, and its tokens. */
        record Counted(int chars, int tokens) {
        }

        private final Map<Encoding, Map<K, Counted>> counts = new ConcurrentHashMap<>();
        private final long maxChars;
        private final AtomicLong chars = new AtomicLong();

        private Counts(long maxChars) {
            this.maxChars = maxChars;
        }

        static int slice(Encoding encoding, String slice) {
            if (slice.length() < MIN_CACHED_CHARS) {
                return tokenize(encoding, slice);
            }
            Counted known = SLICES.get(encoding, slice);
            if (known != null) {
                return known.tokens();
            }
            int counted = tokenize(encoding, slice);
            SLICES.put(encoding, slice, new Counted(slice.length(), counted));
            return counted;
        }

        private static int tokenize(Encoding encoding, String text) {
            TOKENIZED.add(text.length());
            return encoding.countTokensOrdinary(text);
        }

        static long tokenized() {
            return TOKENIZED.sum();
        }

        Counted get(Encoding encoding, K key) {
            Map<K, Counted> known = counts.get(encoding);
            return known == null ? null : known.get(key);
        }

        void put(Encoding encoding, K key, Counted counted) {
            if (counted.chars() > maxChars / 8) {
                return; // counted, not held
            }
            Map<K, Counted> known = counts.computeIfAbsent(encoding, e -> new ConcurrentHashMap<>());
            if (known.size() >= MAX_ENTRIES || chars.addAndGet(counted.chars()) > maxChars) {
                counts.values().forEach(Map::clear);
                chars.set(counted.chars());
            }
            known.put(key, counted);
        }

        int size() {
            return counts.values().stream().mapToInt(Map::size).sum();
        }
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
