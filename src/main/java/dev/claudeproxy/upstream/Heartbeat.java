package dev.claudeproxy.upstream;

/**
 * What an exchange does while it waits for its upstream (the head of an answer, a retry's
 * backoff, a body): the wait wakes when the heartbeat is {@link #due()} and {@link #beat()}s on
 * the waiting thread itself, which is the exchange's one thread, the only writer of its client's
 * response. A stream's heartbeat writes a {@code ping}: it keeps idle connections open, and a
 * ping that cannot be written is how a client that has left is found before the upstream answers,
 * since no servlet container reports a departed client until something is written to it.
 *
 * <p>{@link #beat()} may throw to end the wait (its client has gone); the waiter then stops the
 * upstream work under way before passing the exception on.
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

    /** Beats, on the waiting thread; throws to end the wait. */
    void beat();

    /** The earlier of {@code deadlineNanos} and when this is due, as {@link System#nanoTime} instants. */
    default long wakeBy(long deadlineNanos) {
        long due = due();
        return due - deadlineNanos < 0 ? due : deadlineNanos;
    }
}
