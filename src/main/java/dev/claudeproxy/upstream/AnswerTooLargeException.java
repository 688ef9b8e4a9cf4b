package dev.claudeproxy.upstream;

import java.io.IOException;

/** An upstream answer that carried more than the gateway takes from one answer. */
public final class AnswerTooLargeException extends IOException {

    private final long limit;

    public AnswerTooLargeException(long limit) {
        super("the upstream answer passed " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
