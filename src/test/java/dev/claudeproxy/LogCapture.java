package dev.claudeproxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= level.intValue()) {
            records.add(record);
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
