package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body that has arrived whole, and the share of the in-flight budget it holds: its
 * length when it arrived, and more once its JSON values are counted, if they will take more
 * ({@link #chargeValues}). The bytes are handed over once (whoever parses them holds them after
 * that); the budget is given back once, when the exchange no longer needs the request's copies.
 * One thread at a time: the container's while the body arrives, then the worker's.
 */
final class ReadBody implements MessagesRequestReader.ValueBudget {

    /**
     * What one JSON value counts as, in the budget's bytes: about 128 bytes of heap once parsed
     * (tree, records, converted request), measured at 97 bytes a value for the parsed tree of a
     * body of tiny blocks, and the budget counts each body byte for the four copies it is held in.
     */
    static final long BYTES_PER_VALUE = 32;

    private byte[] bytes;
    private long reserved;
    private final BodyBudget budget;
    private final AtomicBoolean released = new AtomicBoolean();

    ReadBody(byte[] bytes, long reserved, BodyBudget budget) {
        this.bytes = bytes;
        this.reserved = reserved;
        this.budget = budget;
    }

    /** The body; once. */
    byte[] bytes() {
        byte[] taken = bytes;
        if (taken == null) {
            throw new IllegalStateException("the body was already taken");
        }
        bytes = null;
        return taken;
    }

    /**
     * Takes from the budget what the body's {@code values} will hold once parsed, beyond what it
     * holds already: refused with 413 when that is more than all requests together may hold, and
     * with 529 (clients retry) when the budget has not that much left now.
     */
    @Override
    public void take(long values) {
        long needed = values * BYTES_PER_VALUE;
        long more = needed - reserved;
        if (more <= 0) {
            return;
        }
        if (needed > budget.capacity()) {
            throw new ProxyException(ErrorType.REQUEST_TOO_LARGE, "the request body holds about " + values
                    + " JSON values, which this gateway would hold as about " + (needed * 4 >> 20) + " MiB once parsed,"
                    + " more than all requests together may (" + Settings.MAX_REQUEST_BYTES_IN_FLIGHT + ")");
        }
        if (!budget.reserve(more)) {
            throw BodyBudget.spent();
        }
        reserved = needed;
    }

    /** Gives the body's share of the budget back; the first call only. */
    void release() {
        if (!released.getAndSet(true)) {
            bytes = null;
            budget.release(reserved);
        }
    }
}
