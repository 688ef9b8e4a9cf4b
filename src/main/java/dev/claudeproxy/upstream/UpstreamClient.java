package dev.claudeproxy.upstream;

import dev.claudeproxy.config.Secret;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.Client;
import jakarta.ws.rs.client.ClientBuilder;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.MediaType;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.CommonProperties;
import org.glassfish.jersey.client.ClientProperties;

/**
 * Calls upstream Chat Completions endpoints. One instance for the whole application (the Jersey
 * client is thread-safe and keeps connections alive between calls); closed at shutdown.
 *
 * <p>The read timeout is the longest silence tolerated from an upstream, before its answer and
 * between two reads of a stream: slow models may think for minutes before their first token.
 */
public final class UpstreamClient implements AutoCloseable {

    private static final String USER_AGENT = "claude-proxy";

    private final Client client;

    public UpstreamClient(Duration connectTimeout, Duration readTimeout) {
        this.client = ClientBuilder.newBuilder()
                .connectTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                // An upstream redirect must not send the prompt and key to another host.
                .property(ClientProperties.FOLLOW_REDIRECTS, false)
                // Bodies are strings and streams only; the XML/image/activation providers are never used.
                .property(CommonProperties.PROVIDER_DEFAULT_DISABLE, "DATASOURCE,DOMSOURCE,RENDEREDIMAGE,SAXSOURCE,STREAMSOURCE")
                .build();
    }

    /**
     * POSTs a JSON body and returns the answer with its body unread, whatever its status.
     *
     * @param key sent, when present, as {@code Authorization: Bearer <key>}, or as the bare value of
     *     another {@code keyHeader} (Azure's {@code api-key})
     * @param stream whether a server-sent event stream is asked for
     * @throws UpstreamFailure when no HTTP answer came
     */
    public UpstreamResponse post(URI uri, Optional<Secret> key, String keyHeader, String json, boolean stream)
            throws UpstreamFailure {
        Invocation.Builder proxyToServerRequest = client.target(uri).request()
                .accept(stream ? MediaType.SERVER_SENT_EVENTS_TYPE : MediaType.APPLICATION_JSON_TYPE)
                .header("User-Agent", USER_AGENT);
        key.ifPresent(secret -> proxyToServerRequest.header(keyHeader,
                keyHeader.equals("Authorization") ? "Bearer " + secret.reveal() : secret.reveal()));
        try {
            return new UpstreamResponse(proxyToServerRequest.post(Entity.entity(json, MediaType.APPLICATION_JSON_TYPE)));
        } catch (ProcessingException e) {
            throw failure(e, uri);
        }
    }

    private static UpstreamFailure failure(ProcessingException e, URI uri) {
        String where = uri.getAuthority();
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SocketTimeoutException || cause instanceof HttpTimeoutException
                    || (cause instanceof InterruptedIOException && cause.getMessage() != null
                    && cause.getMessage().toLowerCase().contains("timed out"))) {
                return new UpstreamFailure(UpstreamFailure.Kind.TIMEOUT, "upstream " + where + " did not answer in time", e);
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new UpstreamFailure(UpstreamFailure.Kind.UNREACHABLE,
                "upstream " + where + " could not be reached (" + root.getClass().getSimpleName() + ")", e);
    }

    @Override
    public void close() {
        client.close();
    }
}
