package dev.claudeproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.claudeproxy.config.Settings.Timeouts;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import dev.claudeproxy.upstream.CallClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The body reader against a container that calls its listener the way Grizzly (GlassFish, Payara)
 * was seen to: the end of the body announced before its last bytes can be read. Checked in
 * {@code ServerMatrixIT} on the real servers too, where about one 70 KB body in twenty used to be
 * cut short, its rest then read as the connection's next request.
 */
class BodyReaderTest {

    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(60), 1);

    private final CallClock clock = new CallClock(Thread::new, Runnable::run);
    private final BodyDeadlines deadlines = new BodyDeadlines(clock);

    @AfterEach
    void close() {
        clock.close();
    }

    /** Bytes that become readable piece by piece, as the test releases them. */
    private static final class Arriving extends ServletInputStream {
        private final Deque<byte[]> pending = new ArrayDeque<>();
        private byte[] current = new byte[0];
        private int at;
        private boolean ended;

        void arrive(byte[] piece) {
            pending.add(piece);
        }

        void end() {
            ended = true;
        }

        private boolean fill() {
            while (at == current.length && !pending.isEmpty()) {
                current = pending.poll();
                at = 0;
            }
            return at < current.length;
        }

        @Override
        public boolean isFinished() {
            return ended && !fill();
        }

        @Override
        public boolean isReady() {
            return fill() || ended;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            // the test calls the listener itself, as the container would
        }

        @Override
        public int read() {
            return fill() ? current[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(length, current.length - at);
            System.arraycopy(current, at, into, offset, n);
            at += n;
            return n;
        }
    }

    private BodyReader reader(Arriving in, long declaredLength, List<byte[]> delivered) {
        BodyReader reader = new BodyReader(null, in, declaredLength, 1 << 20, "MAX_REQUEST_BYTES", new BodyBudget(1 << 20), TIMEOUTS,
                body -> delivered.add(body.bytes()), () -> { });
        reader.start(deadlines);
        return reader;
    }

    @Test
    void anEndAnnouncedBeforeTheLastBytesWaitsForThemWhenTheLengthIsKnown() throws Exception {
        byte[] json = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);
        Arriving in = new Arriving();
        List<byte[]> delivered = new ArrayList<>();
        BodyReader reader = reader(in, json.length, delivered);

        in.arrive(java.util.Arrays.copyOfRange(json, 0, 20));
        reader.onDataAvailable();
        reader.onAllDataRead(); // too early: 20 of the declared bytes
        assertEquals(List.of(), delivered, "nothing is taken before the declared length has arrived");

        in.arrive(java.util.Arrays.copyOfRange(json, 20, json.length));
        reader.onDataAvailable();
        assertEquals(1, delivered.size());
        assertArrayEquals(json, delivered.get(0));

        in.end();
        reader.onAllDataRead();
        assertEquals(1, delivered.size(), "the body is handed on once");
    }

    @Test
    void aBodyWithoutALengthEndsWhenTheContainerSaysSo() throws Exception {
        byte[] json = "x".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        Arriving in = new Arriving();
        List<byte[]> delivered = new ArrayList<>();
        BodyReader reader = reader(in, -1, delivered);
        in.arrive(java.util.Arrays.copyOfRange(json, 0, 9_000));
        reader.onDataAvailable();
        in.arrive(java.util.Arrays.copyOfRange(json, 9_000, json.length));
        in.end();
        reader.onDataAvailable();
        assertEquals(List.of(), delivered);
        reader.onAllDataRead();
        assertEquals(1, delivered.size());
        assertArrayEquals(json, delivered.get(0));
    }
}
