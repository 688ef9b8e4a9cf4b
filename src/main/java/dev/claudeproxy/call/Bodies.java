package dev.claudeproxy.call;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.upstream.Heartbeat;
import dev.claudeproxy.upstream.UpstreamAnswer;
import dev.claudeproxy.upstream.UpstreamAnswer.Piece;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;

/** Reads a whole upstream body on the exchange's thread, within the exchange's deadlines. */
public final class Bodies {

    private Bodies() {
    }

    /**
     * The body's first {@code limit} bytes (the rest is dropped unread), waiting for each piece no
     * longer than the silence deadline and never past the exchange's end; the heartbeat beats
     * whenever it is due meanwhile.
     *
     * @throws IOException when reading failed (the pump's failure, an answer past its bound among them)
     * @throws ProxyException 504 when a deadline passed first
     */
    public static byte[] read(UpstreamAnswer answer, int limit, Deadlines deadlines, Heartbeat heartbeat)
            throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long lastProgress = System.nanoTime();
        while (true) {
            Piece piece;
            long silenceEnd = deadlines.silenceEnd(lastProgress);
            try {
                piece = answer.next(heartbeat.wakeBy(silenceEnd));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.close();
                throw new IOException("interrupted while reading the upstream answer", e);
            }
            if (piece instanceof UpstreamAnswer.Data data) {
                body.write(data.bytes(), 0, Math.min(data.bytes().length, limit - body.size()));
                lastProgress = System.nanoTime();
                if (body.size() >= limit) {
                    answer.close();
                    return body.toByteArray();
                }
            } else if (piece instanceof UpstreamAnswer.End) {
                return body.toByteArray();
            } else if (piece instanceof UpstreamAnswer.Failed failed) {
                throw failed.failure();
            } else if (System.nanoTime() - silenceEnd < 0) {
                beat(answer, heartbeat);
            } else {
                answer.close();
                throw timedOut(deadlines);
            }
        }
    }

    /** A beat that ends the wait (its client has gone) drops the answer's connection before it is passed on. */
    private static void beat(UpstreamAnswer answer, Heartbeat heartbeat) {
        try {
            heartbeat.beat();
        } catch (RuntimeException | Error stop) {
            answer.close();
            throw stop;
        }
    }

    /** 504 naming the deadline that passed: the whole exchange's, or the upstream's silence. */
    public static ProxyException timedOut(Deadlines deadlines) {
        if (deadlines.exchangeOver(System.nanoTime())) {
            return new ProxyException(ErrorType.TIMEOUT, "the exchange passed its " + deadlines.timeouts().exchange().toSeconds()
                    + " s limit (" + Settings.EXCHANGE_TIMEOUT_SECONDS + ")");
        }
        return new ProxyException(504, ErrorType.TIMEOUT, "upstream sent nothing for "
                + deadlines.timeouts().silence().toSeconds() + " s (" + Settings.UPSTREAM_READ_TIMEOUT_SECONDS
                + ")", Map.of());
    }
}
