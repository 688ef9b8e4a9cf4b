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
 * request was made to, when its {@code Host} passed {@code ALLOWED_HOSTS} (behind a front, only
 * right when the container trusts the front's forwarded headers: Tomcat's {@code RemoteIpValve},
 * Jetty's {@code ForwardedRequestCustomizer}). With neither, the {@code Host} is whatever the
 * asker wrote, and a script that sends keys there is not served: its default is left empty, with
 * a comment saying why.
 */
final class SetupScript {

    static final String PATH = "/claude_proxy.sh";

    private static final Pattern DEFAULT_LINE = Pattern.compile("(?m)^DEFAULT_GATEWAY=\"[^\"\\n]*\"$");
    /** What may stand inside the script's double quotes without changing its meaning. */
    private static final Pattern SAFE_URL = Pattern.compile("https?://[A-Za-z0-9.:\\[\\]_~%/-]+");

    private static final String UNKNOWN_GATEWAY = "# No default gateway: the gateway that served this script has neither"
            + " PUBLIC_URL nor ALLOWED_HOSTS\n# set, so the address it was fetched from is only what the asker wrote."
            + " Give --gateway.\nDEFAULT_GATEWAY=\"\"";

    private final String script;
    private final Optional<URI> publicUrl;
    private final boolean hostsChecked;

    /** @param hostsChecked whether a request's {@code Host} reaches here only when {@code ALLOWED_HOSTS} names it */
    SetupScript(ServletContext context, Optional<URI> publicUrl, boolean hostsChecked) {
        script = WebappFiles.read(context, PATH).map(bytes -> new String(bytes, StandardCharsets.UTF_8)).orElse(null);
        this.publicUrl = publicUrl;
        this.hostsChecked = hostsChecked;
    }

    void serve(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (script == null) {
            ErrorResponder.send(response, null, new ProxyException(ErrorType.NOT_FOUND,
                    "this build of the gateway carries no claude_proxy.sh"));
            return;
        }
        String url = request.getRequestURL().toString();
        Optional<String> gateway = publicUrl.map(URI::toString)
                .or(() -> hostsChecked ? Optional.of(url.substring(0, url.length() - PATH.length())) : Optional.empty())
                .filter(candidate -> SAFE_URL.matcher(candidate).matches());
        String defaultLine = gateway.map(known -> "DEFAULT_GATEWAY=\"" + known + "\"").orElse(UNKNOWN_GATEWAY);
        String served = DEFAULT_LINE.matcher(script).replaceFirst(Matcher.quoteReplacement(defaultLine));
        byte[] bytes = served.getBytes(StandardCharsets.UTF_8);
        response.setContentType("text/x-shellscript;charset=UTF-8");
        response.setHeader("Content-Disposition", "inline; filename=\"claude_proxy.sh\"");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
