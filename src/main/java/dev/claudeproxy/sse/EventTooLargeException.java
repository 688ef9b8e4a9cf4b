package dev.claudeproxy.sse;

import java.io.IOException;

/** An event stream whose line, or one event's data, passed the reader's bound. */
public final class EventTooLargeException extends IOException {

    private final int limit;

    public EventTooLargeException(int limit) {
        super("an event stream line or event passed " + limit + " bytes");
        this.limit = limit;
    }

    public int limit() {
        return limit;
    }
}
