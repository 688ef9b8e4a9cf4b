package dev.claudeproxy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Records what one java.util.logging logger (and its children) publishes while it is open. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger, Level level) {
        this.logger = logger;
        this.level = level;
        logger.addHandler(this);
    }

    /** Captures records of {@code level} and above from the logger named {@code name}. */
    public static LogCapture of(String name, Level level) {
        return new LogCapture(Logger.getLogger(name), level);
    }

    public List<String> messages() {
        return records.stream().map(LogRecord::getMessage).toList();
    }

    /** The messages of every recorded exception and its causes. */
    public List<String> thrownMessages() {
        List<String> messages = new ArrayList<>();
        for (LogRecord record : records) {
            for (Throwable thrown = record.getThrown(); thrown != null; thrown = thrown.getCause()) {
                messages.add(String.valueOf(thrown.getMessage()));
            }
        }
        return messages;
    }

    public void clear() {
        records.clear();
    }

    /**
     * The first message {@code matches} accepts, waiting for it to be published: a request's log
     * line is written when its exchange ends, which may be just after its client has the answer.
     *
     * @throws AssertionError when none comes within {@code limit}
     */
    public String await(Predicate<String> matches, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        synchronized (records) {
            while (true) {
                Optional<String> found = messages().stream().filter(matches).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such log message within " + limit + "; logged: " + messages());
                }
                records.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= level.intValue()) {
            synchronized (records) {
                records.add(record);
                records.notifyAll();
            }
        }
    }

    @Override
    public void flush() {
        // records are kept in memory
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
