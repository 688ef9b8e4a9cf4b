package dev.claudeproxy.servlet;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a whole JSON response: status, content type and length, body. */
final class JsonResponse {

    private JsonResponse() {
    }

    static void write(HttpServletResponse proxyToClientResponse, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        proxyToClientResponse.setStatus(status);
        proxyToClientResponse.setContentType("application/json");
        proxyToClientResponse.setContentLength(bytes.length);
        proxyToClientResponse.getOutputStream().write(bytes);
    }
}
