package dev.claudeproxy.servlet;

import dev.claudeproxy.error.ProxyException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The small bodies the gateway answers itself (the sign-in's forms, Claude Code's telemetry),
 * read as the messages bodies are ({@link BodyReader}: no thread held while the client sends,
 * the body deadlines, the shared budget), then answered on the container thread that read the
 * body's end. So a client that drips a form holds a socket, never a container thread.
 */
final class SmallBodies {

    private static final Logger LOG = Logger.getLogger(SmallBodies.class.getName());

    /** What answers a body once it is whole; it writes the response, and the request completes after it. */
    interface Answer {
        void with(byte[] body) throws IOException;
    }

    private final Gateway gateway;

    SmallBodies(Gateway gateway) {
        this.gateway = gateway;
    }

    /**
     * @param maxBytes past this, 413 naming {@code limit}
     */
    void read(HttpServletRequest clientToProxyRequest, HttpServletResponse proxyToClientResponse, long maxBytes,
              String limit, Answer answer) throws IOException {
        try {
            if (!clientToProxyRequest.isAsyncSupported()) {
                // A filter in front forbids async: read on this thread, as the messages bodies are then.
                answer.with(ClientRequests.body(clientToProxyRequest, maxBytes, limit));
                return;
            }
            ClientRequests.refuseDeclaredOverLimit(clientToProxyRequest, maxBytes, limit);
        } catch (ProxyException refused) {
            ErrorResponder.send(proxyToClientResponse, null, refused);
            return;
        } catch (ClientGoneException gone) {
            return;
        }
        AsyncContext asyncContext = clientToProxyRequest.startAsync(clientToProxyRequest, proxyToClientResponse);
        asyncContext.setTimeout(0); // the body's own deadlines bound the read; the answer follows at once
        BodyReader reader = new BodyReader(asyncContext, clientToProxyRequest.getInputStream(),
                clientToProxyRequest.getContentLengthLong(), maxBytes, limit, gateway.budget(), gateway.settings().timeouts(),
                body -> answer(body, answer, proxyToClientResponse, asyncContext),
                () -> LOG.fine("a client left while it sent a small body; the container ends its request"));
        try {
            reader.start(gateway.bodyDeadlines());
        } catch (ProxyException refused) {
            ErrorResponder.send(proxyToClientResponse, null, refused);
            asyncContext.complete();
        }
    }

    private static void answer(ReadBody body, Answer answer, HttpServletResponse proxyToClientResponse,
                               AsyncContext asyncContext) {
        try {
            answer.with(body.bytes());
        } catch (IOException gone) {
            LOG.log(Level.FINE, "the client left before its answer was written", gone);
        } catch (RuntimeException bug) {
            LOG.log(Level.SEVERE, "answering a small body failed inside the gateway", bug);
            if (!proxyToClientResponse.isCommitted()) {
                ErrorResponder.send(proxyToClientResponse, null, ProxyException.internal("-"));
            }
        } finally {
            body.release();
            asyncContext.complete();
        }
    }
}
