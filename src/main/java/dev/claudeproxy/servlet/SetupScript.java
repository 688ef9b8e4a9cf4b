package dev.claudeproxy.servlet;

import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves {@code claude_proxy.sh} at {@code GET /claude_proxy.sh}, with this gateway's own URL as
 * the script's default gateway, so that
 * {@code bash <(curl -fsSL https://host/claude-proxy/claude_proxy.sh)} needs no further answer
 * about where the gateway is. The URL is {@code PUBLIC_URL} when configured; else the one the
 * request was made to, which behind a front is only right when the container trusts the front's
 * forwarded headers (Tomcat's {@code RemoteIpValve}, Jetty's {@code ForwardedRequestCustomizer}).
 */
final class SetupScript {

    static final String PATH = "/claude_proxy.sh";

    private static final Pattern DEFAULT_LINE = Pattern.compile("(?m)^DEFAULT_GATEWAY=\"[^\"\\n]*\"$");
    /** What may stand inside the script's double quotes without changing its meaning. */
    private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9.:\\[\\]_~%/-]+");

    private final String script;
    private final Optional<URI> publicUrl;

    SetupScript(ServletContext context, Optional<URI> publicUrl) {
        script = WebappFiles.read(context, PATH).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse(null);
        this.publicUrl = publicUrl;
    }

    void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (script == null) {
            ErrorResponder.send(response, null, new ProxyException(ErrorType.NOT_FOUND,
                    "this build of the gateway carries no claude_proxy.sh"));
            return;
        }
        String url = request.getRequestURL().toString();
        String gateway = publicUrl.map(URI::toString).orElse(url.substring(0, url.length() - PATH.length()));
        String served = SAFE_URL.matcher(gateway).matches()
                ? DEFAULT_LINE.matcher(script).replaceFirst(Matcher.quoteReplacement("DEFAULT_GATEWAY=\"" + gateway + "\""))
                : script;
        byte[] bytes = served.getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/x-shellscript;charset=UTF-8");
        response.setHeader("Content-Disposition", "inline; filename=\"claude_proxy.sh\"");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
