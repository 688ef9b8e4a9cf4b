package dev.claudeproxy.servlet;

import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Files of the webapp itself ({@code index.html}, {@code claude_proxy.sh}), read once at start. */
final class WebappFiles {

    private static final Logger LOG = Logger.getLogger(WebappFiles.class.getName());

    private WebappFiles() {
    }

    /** The file's bytes, or empty when the webapp has no such file or it cannot be read (logged). */
    static Optional<byte[]> read(ServletContext context, String path) {
        try (InputStream in = context.getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            LOG.log(Level.WARNING, path + " could not be read", e);
            return Optional.empty();
        }
    }
}
