package dev.claudeproxy.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 written byte for byte, for what the JDK client will not send: a {@code Host} of the
 * test's choosing, header bytes past ASCII.
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
}
