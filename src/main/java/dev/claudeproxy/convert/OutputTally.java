package dev.claudeproxy.convert;

/**
 * Counts the tokens of an answer as it streams, holding at most a few KiB of it: text is buffered
 * until a slice's worth has arrived, counted, and let go. An upstream that reports its usage makes
 * the count unnecessary, so nothing is tokenized until the buffer fills or {@link #tokens()} is
 * asked. Single use, not thread-safe.
 */
public final class OutputTally {

    private final TokenCounter.Tally tally;
    private final StringBuilder pending = new StringBuilder();
    private long counted;

    OutputTally(TokenCounter.Tally tally) {
        this.tally = tally;
    }

    public void add(CharSequence text) {
        pending.append(text);
        if (pending.length() >= 4 * TokenCounter.SLICE) {
            int end = TokenCounter.Tally.sliceEnd(pending.toString(), 0);
            counted += tally.text(pending.substring(0, end));
            pending.delete(0, end);
        }
    }

    /** All tokens added so far. */
    public int tokens() {
        counted += tally.text(pending.toString());
        pending.setLength(0);
        return (int) Math.min(Integer.MAX_VALUE, counted);
    }
}
