package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.Usage;

/**
 * Usage counted locally by {@link TokenCounter}: the request's input tokens for a stream's
 * {@code message_start} (Chat Completions upstreams report usage only at the end, and clients such
 * as LangChain read input tokens only there), and the whole usage for upstreams that report none
 * (some local servers, fake-streaming gateways). Used by one exchange's thread.
 */
public final class UsageEstimate {

    /** Let go once counted: an open stream need not hold its whole request. */
    private MessagesRequest request;
    private final String upstreamModel;
    private int inputTokens = -1;

    public UsageEstimate(MessagesRequest request, String upstreamModel) {
        this.request = request;
        this.upstreamModel = upstreamModel;
    }

    /** The request's input tokens as an upstream of its model would count them; counted once. */
    public int inputTokens() {
        if (inputTokens < 0) {
            inputTokens = TokenCounter.countInput(request, upstreamModel);
            request = null;
        }
        return inputTokens;
    }

    /** A tally of the answer's output, for {@link #of}; fed whether or not it will be needed. */
    public OutputTally output() {
        return TokenCounter.outputTally(upstreamModel);
    }

    /** @param output everything the answer produced: text, thinking, tool names and arguments */
    public Usage of(OutputTally output) {
        return new Usage(inputTokens(), output.tokens(), 0, 0);
    }
}
