package dev.claudeproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that reads a request whole, then holds its answer back (as a model reading a long
 * prompt does) while it watches its connection: when the gateway closes the connection during the
 * hold, it notes when. After the hold it writes {@code answer}, a whole HTTP response.
 */
final class HoldingUpstream implements AutoCloseable {

    private final ServerSocket server;
    private final Duration hold;
    private final String answer;
    private final AtomicInteger requests = new AtomicInteger();
    /** The moments ({@link System#nanoTime}) the gateway closed a connection whose answer was held back. */
    private final BlockingQueue<Long> closed = new LinkedBlockingQueue<>();
    private final Thread acceptor;

    HoldingUpstream(Duration hold, String answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.hold = hold;
        this.answer = answer;
        this.acceptor = new Thread(this::accept, "holding-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A stream answer: a role chunk, one text chunk, the end. */
    static String streamAnswer() {
        String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"late\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n\n";
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** An error answer with a JSON body. */
    static String errorAnswer(int status, String extraHeaders) {
        String body = "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\"}}";
        return "HTTP/1.1 " + status + " Busy\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    int port() {
        return server.getLocalPort();
    }

    String route(String model) {
        return "/http/127.0.0.1:" + server.getLocalPort() + "/v1/" + model;
    }

    int requests() {
        return requests.get();
    }

    /** When the gateway next closes a held connection, waiting up to {@code limit}; empty if it does not. */
    java.util.OptionalLong awaitClosed(Duration limit) throws InterruptedException {
        Long at = closed.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        return at == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(at);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread handler = new Thread(() -> serve(connection), "holding-upstream-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException closedDown) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            InputStream in = connection.getInputStream();
            while (readRequest(in)) {
                requests.incrementAndGet();
                long end = System.nanoTime() + hold.toNanos();
                for (long left = hold.toMillis(); left > 0; left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())) {
                    connection.setSoTimeout((int) Math.max(1, left));
                    try {
                        if (in.read() < 0) {
                            closed.add(System.nanoTime());
                            return;
                        }
                    } catch (SocketTimeoutException holdOver) {
                        break;
                    }
                }
                OutputStream out = connection.getOutputStream();
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException reset) {
            closed.add(System.nanoTime());
        }
    }

    /** Reads one request, head and body; false at the end of the connection. */
    private static boolean readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return false;
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        long length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).strip());
            }
        }
        in.readNBytes((int) length);
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
