package dev.claudeproxy.servlet;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request body that has arrived whole, and the share of the in-flight budget it holds. The
 * bytes are handed over once (whoever parses them holds them after that); the budget is given back
 * once, when the exchange no longer needs the request's copies.
 */
final class ReadBody {

    private byte[] bytes;
    private final long reserved;
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

    /** Gives the body's share of the budget back; the first call only. */
    void release() {
        if (!released.getAndSet(true)) {
            bytes = null;
            budget.release(reserved);
        }
    }
}
