package dev.claudeproxy.sse;

/**
 * One server-sent event as read off the wire.
 *
 * @param event the {@code event:} name, null when the event had none
 * @param data the {@code data:} lines joined with '\n'
 */
public record SseEvent(String event, String data) {
}
