package dev.claudeproxy.convert;

import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.Usage;

/**
 * Usage counted locally, for upstreams that report none (some local servers, fake-streaming
 * gateways): the request's input tokens and the answer's output tokens, by {@link TokenCounter}.
 * Nothing is counted unless {@link #of} is called.
 */
public final class UsageEstimate {

    private final MessagesRequest request;
    private final String upstreamModel;

    public UsageEstimate(MessagesRequest request, String upstreamModel) {
        this.request = request;
        this.upstreamModel = upstreamModel;
    }

    /** A tally of the answer's output, for {@link #of}; fed whether or not it will be needed. */
    public OutputTally output() {
        return TokenCounter.outputTally(upstreamModel);
    }

    /** @param output everything the answer produced: text, thinking, tool names and arguments */
    public Usage of(OutputTally output) {
        return new Usage(TokenCounter.countInput(request, upstreamModel), output.tokens(), 0, 0);
    }
}
