package dev.claudeproxy.upstream;

/**
 * What an exchange does while it waits for its upstream (the head of an answer, a body, a retry's
 * backoff) whenever it is {@link #due()}: a stream's heartbeat writes a {@code ping}, under its
 * client's writer lock. It keeps idle connections open, and a ping that cannot be written is how a
 * client that has left is found before the upstream answers, since no servlet container reports a
 * departed client until something is written to it.
 *
 * <p>While a call's read blocks, the {@link CallClock} has it beat on a thread of its own; during a
 * backoff the waiting thread beats itself. {@link #beat()} may throw to end the wait (its client
 * has gone); the upstream work under way is then stopped, and the exception reaches the exchange.
 */
public interface Heartbeat {

    /** A heartbeat that is never due: a wait that writes nothing to its client (a JSON answer). */
    Heartbeat NONE = new Heartbeat() {
        @Override
        public long due() {
            return System.nanoTime() + Long.MAX_VALUE / 2;
        }

        @Override
        public void beat() {
            // never due
        }
    };

    /** When it is next due, as a {@link System#nanoTime} instant. */
    long due();

    /** Beats; throws to end the wait. */
    void beat();

    /** The earlier of {@code deadlineNanos} and when this is due, as {@link System#nanoTime} instants. */
    default long wakeBy(long deadlineNanos) {
        long due = due();
        return due - deadlineNanos < 0 ? due : deadlineNanos;
    }
}
