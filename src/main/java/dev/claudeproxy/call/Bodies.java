package dev.claudeproxy.call;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
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
     * longer than the silence deadline and never past the exchange's end.
     *
     * @throws IOException when reading failed (an answer past its bound among them)
     * @throws ProxyException 504 when a deadline passed first
     */
    public static byte[] read(UpstreamAnswer answer, int limit, Deadlines deadlines) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            Piece piece = answer.next(deadlines.silenceEnd(System.nanoTime()));
            if (piece instanceof UpstreamAnswer.Data data) {
                body.write(data.bytes(), 0, Math.min(data.length(), limit - body.size()));
                if (body.size() >= limit) {
                    answer.close();
                    return body.toByteArray();
                }
            } else if (piece instanceof UpstreamAnswer.End) {
                return body.toByteArray();
            } else if (piece instanceof UpstreamAnswer.Failed failed) {
                throw failed.failure();
            } else {
                answer.close();
                throw timedOut(deadlines);
            }
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
