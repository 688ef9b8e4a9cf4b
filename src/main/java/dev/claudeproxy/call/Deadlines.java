package dev.claudeproxy.call;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.Settings.Timeouts;
import java.time.Duration;

/**
 * The deadlines of one exchange, from its {@link Timeouts}, as instants of {@link System#nanoTime}:
 * the one place that turns each timeout into a moment. Every wait of an exchange ends at the
 * earliest moment that applies to it, and never after the exchange's own end.
 *
 * @param startNanos when the exchange began (its request body had arrived)
 * @param autoModeCheck the exchange is one of Claude Code's auto-mode safety checks, whose
 *     first-byte deadline is its own
 */
public record Deadlines(Timeouts timeouts, long startNanos, boolean autoModeCheck) {

    public static Deadlines startingNow(Timeouts timeouts) {
        return new Deadlines(timeouts, System.nanoTime(), false);
    }

    /** The deadlines of one of Claude Code's auto-mode safety checks, from now. */
    public static Deadlines ofAutoModeCheckStartingNow(Timeouts timeouts) {
        return new Deadlines(timeouts, System.nanoTime(), true);
    }

    /** The longest a call may wait for the head of its answer. */
    public Duration firstByte() {
        return autoModeCheck ? timeouts.autoModeFirstByte() : timeouts.firstByte();
    }

    /** The setting that says {@link #firstByte()}, for the message when it passes. */
    public String firstByteSetting() {
        return autoModeCheck ? Settings.AUTO_MODE_FIRST_BYTE_TIMEOUT_SECONDS : Settings.UPSTREAM_FIRST_BYTE_TIMEOUT_SECONDS;
    }

    /** The end of the whole exchange. */
    public long exchangeEnd() {
        return startNanos + timeouts.exchange().toNanos();
    }

    /** When a call sent now must have the head of its answer. */
    public long headEnd(long nowNanos) {
        return Math.min(nowNanos + firstByte().toNanos(), exchangeEnd());
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
