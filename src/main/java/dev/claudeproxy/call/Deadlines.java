package dev.claudeproxy.call;

import dev.claudeproxy.config.Settings.Timeouts;

/**
 * The deadlines of one exchange, from its {@link Timeouts}, as instants of {@link System#nanoTime}:
 * the one place that turns each timeout into a moment. Every wait of an exchange ends at the
 * earliest moment that applies to it, and never after the exchange's own end.
 *
 * @param startNanos when the exchange began (its request body had arrived)
 */
public record Deadlines(Timeouts timeouts, long startNanos) {

    public static Deadlines startingNow(Timeouts timeouts) {
        return new Deadlines(timeouts, System.nanoTime());
    }

    /** The end of the whole exchange. */
    public long exchangeEnd() {
        return startNanos + timeouts.exchange().toNanos();
    }

    /** When a call sent now must have the head of its answer. */
    public long headEnd(long nowNanos) {
        return Math.min(nowNanos + timeouts.firstByte().toNanos(), exchangeEnd());
    }

    /** When the upstream has been silent too long, counting from its last progress. */
    public long silenceEnd(long lastProgressNanos) {
        return Math.min(lastProgressNanos + timeouts.silence().toNanos(), exchangeEnd());
    }

    /** When a stream needs a ping, counting from the last byte the client received. */
    public long keepAliveAt(long lastClientByteNanos) {
        return lastClientByteNanos + timeouts.keepAlive().toNanos();
    }

    public boolean exchangeOver(long nowNanos) {
        return nowNanos - exchangeEnd() >= 0;
    }
}
