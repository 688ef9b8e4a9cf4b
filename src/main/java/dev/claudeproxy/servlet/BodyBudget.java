package dev.claudeproxy.servlet;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The request bytes all exchanges together may hold while bodies are read, parsed, converted and
 * sent upstream ({@code MAX_REQUEST_BYTES_IN_FLIGHT}): each holds its body about four times over
 * (bytes, parsed tree, converted request, upstream bytes), or, for a body of many tiny JSON values,
 * what those values will hold ({@link ReadBody#take}), so the budget, not the number of requests,
 * is what keeps large concurrent bodies within the heap. Thread-safe.
 */
final class BodyBudget {

    private final long capacity;
    private final AtomicLong available;

    BodyBudget(long capacity) {
        this.capacity = capacity;
        this.available = new AtomicLong(capacity);
    }

    /** Takes {@code bytes} from the budget. @return false, taking nothing, when that many are not available */
    boolean reserve(long bytes) {
        long left;
        do {
            left = available.get();
            if (left < bytes) {
                return false;
            }
        } while (!available.compareAndSet(left, left - bytes));
        return true;
    }

    /** The client's error when the budget cannot take a body: 529, which clients retry. */
    static ProxyException spent() {
        return new ProxyException(ErrorType.OVERLOADED, "the gateway holds as many request bytes as it may ("
                + Settings.MAX_REQUEST_BYTES_IN_FLIGHT + "); retry shortly");
    }

    void release(long bytes) {
        available.addAndGet(bytes);
    }

    long capacity() {
        return capacity;
    }

    long inFlight() {
        return capacity - available.get();
    }
}
