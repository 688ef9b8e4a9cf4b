package dev.claudeproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written byte for byte, for what the JDK client will not send: a {@code Host} of the
 * test's choosing, header bytes past ASCII, an {@code Expect: 100-continue} head without its body.
 * Text is ISO-8859-1, as HTTP headers are, one byte a character.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** Writes {@code request} (which should ask {@code Connection: close}) and reads the answer to its end. */
    static String send(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Writes only {@code head} and reads what comes back until the server closes the connection or
     * is silent for {@code quietMillis}: what a client waiting for {@code 100 Continue} is told.
     */
    static String headOnly(int port, String head, int quietMillis) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(quietMillis);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException quiet) {
                // the server waits for more: what it said so far is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
