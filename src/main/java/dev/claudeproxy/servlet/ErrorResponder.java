package dev.claudeproxy.servlet;

import dev.claudeproxy.anthropic.StreamEvent.ErrorEvent;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.json.Json;
import dev.claudeproxy.sse.SseWriter;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the client about a failure in Anthropic form: an HTTP error with a JSON body while the
 * response is not committed, an SSE {@code error} event once the stream has begun. The only place
 * that writes errors.
 */
final class ErrorResponder {

    private static final Logger LOG = Logger.getLogger(ErrorResponder.class.getName());

    private ErrorResponder() {
    }

    /**
     * @param stream the open event stream, or null when none was started
     */
    static void send(HttpServletResponse proxyToClientResponse, SseWriter stream, ProxyException failure) {
        ErrorEvent body = new ErrorEvent(failure.type().wireName(), failure.getMessage());
        String json = Json.write(body);
        try {
            if (stream != null) {
                stream.write(body.type(), json);
                stream.flush();
            } else if (!proxyToClientResponse.isCommitted()) {
                // reset() clears headers too: keep the request id and the CORS headers.
                Map<String, String> kept = new LinkedHashMap<>();
                for (String name : proxyToClientResponse.getHeaderNames()) {
                    if (name.equalsIgnoreCase(Exchange.REQUEST_ID_HEADER) || name.regionMatches(true, 0, "Access-Control-", 0, 15)
                            || name.equalsIgnoreCase("Vary")) {
                        kept.put(name, proxyToClientResponse.getHeader(name));
                    }
                }
                proxyToClientResponse.reset();
                kept.forEach(proxyToClientResponse::setHeader);
                failure.headers().forEach(proxyToClientResponse::setHeader);
                JsonResponse.write(proxyToClientResponse, failure.status(), json);
            } else {
                LOG.warning("cannot report '" + failure.getMessage() + "': the response is already committed");
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "client went away before it could be told: " + failure.getMessage(), e);
        }
    }
}
