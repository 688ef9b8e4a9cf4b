package dev.claudeproxy.upstream;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An upstream's HTTP answer whose body has not been read yet. Whoever holds it closes it; closing
 * before the body is read to its end drops the connection, which is how an upstream stream is
 * stopped when the client has gone. {@link #close()} may be called from another thread.
 */
public final class UpstreamResponse implements AutoCloseable {

    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final Response response;

    UpstreamResponse(Response response) {
        this.response = response;
    }

    public int status() {
        return response.getStatus();
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(response.getHeaderString(name));
    }

    /** Whether the body is server-sent events (as opposed to one JSON document). */
    public boolean isEventStream() {
        MediaType type = response.getMediaType();
        return type != null && type.getType().equalsIgnoreCase("text") && type.getSubtype().equalsIgnoreCase("event-stream");
    }

    /** The body as a stream; read it once. */
    public InputStream body() {
        return response.readEntity(InputStream.class);
    }

    /** The body as text, at most the first 64 KiB (error pages can be large). */
    public String bodyText() throws IOException {
        try (InputStream in = body()) {
            return new String(in.readNBytes(ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        response.close();
    }
}
