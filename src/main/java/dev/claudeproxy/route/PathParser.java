package dev.claudeproxy.route;

import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.config.NamedUpstream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads the upstream and model out of a request path (relative to the context path):
 * {@code [/<scheme>]/<host>[:port][/<path>...]/<model>/<endpoint>} calls
 * {@code <scheme>://<host>[:port]/<path>.../chat/completions} with {@code <model>}; scheme http or
 * https, https by default.
 *
 * <p>A model id with slashes ({@code meta-llama/llama-3.3-70b-instruct}) follows a {@code ~}
 * segment: {@code /openrouter.ai/api/v1/~/meta-llama/llama-3.3-70b-instruct/v1/messages}.
 * Percent-encoding the slash ({@code %2F}) is no way out: stock Tomcat and Jetty reject encoded
 * slashes in paths, and {@code ~} is an unreserved URI character every container passes through.
 *
 * <p>An upstream an operator named in configuration ({@code UPSTREAMS}) is reached as
 * {@code /_/<name>[/<model>]/<endpoint>}: no host or port in the path, and with no model segment
 * no model id either, so the path needs no colon (GlassFish refuses every path that holds one).
 */
public final class PathParser {

    /** The path form, shown in every not-found error. */
    public static final String FORM = "/<scheme>/<host>[:port]/<path>/<model>/v1/messages "
            + "(scheme http or https, optional, https by default; a model id with '/' goes after a '~' segment: "
            + "/<host>/<path>/~/<org>/<model>/v1/messages), "
            + "e.g. /api.groq.com/openai/v1/llama-3.3-70b-versatile/v1/messages; "
            + "or /_/<name>[/<model>]/v1/messages for an upstream named in UPSTREAMS";

    /** The first segment of the form that names an upstream of the server's configuration. */
    public static final String NAMED = "_";

    /** The segment after which the rest of the path, up to the endpoint, is the model id. */
    public static final String MODEL_MARKER = "~";

    private static final Pattern HOST = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    /** An IPv4 address as written canonically: four decimal parts, 0-255, without leading zeros. */
    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    /** A last label that makes a name numeric: no top-level domain is all digits, or hexadecimal. */
    private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile("(^|.*\\.)(0[xX][0-9A-Fa-f]*|[0-9]+)");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~!$&'()*+,;=:@%-]+");

    /**
     * The routes of paths already read: Claude Code sends every request of a session to one path,
     * so the host, port and segment checks and the endpoint's URL parse run once per path, not per
     * request. Only valid routes of paths up to {@link #MAX_KNOWN_CHARS} long are kept (a path is
     * the client's: at most 2 MiB of keys in all); past {@link #MAX_KNOWN} paths the map starts again.
     */
    private static final java.util.Map<List<String>, PathRoute> KNOWN = new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_KNOWN = 4_096;
    static final int MAX_KNOWN_CHARS = 512;

    private PathParser() {
    }

    /** A path with no upstreams named in configuration. */
    public static ParsedPath parse(String path) {
        return parse(path, name -> Optional.empty());
    }

    /**
     * @param path the request path after the context path, starting with '/' (query string excluded)
     * @param upstreams the upstreams named in configuration, for {@code /_/<name>[/<model>]/...}
     */
    public static ParsedPath parse(String path, Function<String, Optional<NamedUpstream>> upstreams) {
        List<String> segments = new ArrayList<>(Arrays.asList(path.split("/")));
        segments.removeIf(String::isEmpty);
        for (Endpoint endpoint : Endpoint.values()) {
            List<String> suffix = endpoint.suffix();
            int start = segments.size() - suffix.size();
            if (start >= 0 && matches(segments.subList(start, segments.size()), suffix)) {
                List<String> prefix = segments.subList(0, start);
                Optional<String> modelId = endpoint == Endpoint.MODEL_INFO
                        ? Optional.of(segments.get(segments.size() - 1)) : Optional.empty();
                return new ParsedPath(endpoint, prefix.isEmpty() ? Optional.empty()
                        : Optional.of(prefix.get(0).equals(NAMED) ? named(prefix, upstreams) : route(prefix)), modelId);
            }
        }
        throw new RouteNotFoundException("No endpoint at " + shorten(path));
    }

    /** Segment by segment; {@code *} in a suffix stands for any one segment. */
    private static boolean matches(List<String> segments, List<String> suffix) {
        for (int i = 0; i < suffix.size(); i++) {
            if (!suffix.get(i).equals("*") && !suffix.get(i).equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code _/<name>[/<model>]}, or {@code _/<name>/~/<org>/<model>}. */
    private static PathRoute named(List<String> prefix, Function<String, Optional<NamedUpstream>> upstreams) {
        if (prefix.size() < 2) {
            throw new RouteNotFoundException("The path names no upstream after '/_/': /_/<name>[/<model>]/v1/messages,"
                    + " with <name> one of UPSTREAMS");
        }
        String name = prefix.get(1);
        NamedUpstream upstream = upstreams.apply(name).orElseThrow(() -> new RouteNotFoundException("No upstream is named '"
                + shorten(name) + "' in this gateway's configuration (UPSTREAMS)"));
        List<String> rest = prefix.subList(2, prefix.size());
        if (!rest.isEmpty() && rest.get(0).equals(MODEL_MARKER)) {
            rest = rest.subList(1, rest.size());
        }
        String model = rest.isEmpty() ? upstream.model().orElse("") : String.join("/", rest);
        checkModel(model);
        return new PathRoute(upstream.endpoint(), model, true);
    }

    private static PathRoute route(List<String> prefix) {
        int chars = 0;
        for (String segment : prefix) {
            chars += segment.length();
        }
        if (chars > MAX_KNOWN_CHARS) {
            return read(prefix);
        }
        PathRoute known = KNOWN.get(prefix);
        if (known == null) {
            known = read(prefix);
            if (KNOWN.size() >= MAX_KNOWN) {
                KNOWN.clear();
            }
            KNOWN.put(List.copyOf(prefix), known);
        }
        return known;
    }

    private static PathRoute read(List<String> prefix) {
        int at = 0;
        String scheme = "https";
        if (prefix.get(0).equals("http") || prefix.get(0).equals("https")) {
            scheme = prefix.get(0);
            at = 1;
        }
        if (at >= prefix.size()) {
            throw new RouteNotFoundException("The path names no upstream host");
        }
        String authority = prefix.get(at++);
        checkAuthority(authority);
        int marker = prefix.indexOf(MODEL_MARKER);
        List<String> upstreamPath;
        String model;
        if (marker >= 0) {
            if (marker < at || marker == prefix.size() - 1) {
                throw new RouteNotFoundException("The '~' segment must stand between the upstream and the model id");
            }
            upstreamPath = prefix.subList(at, marker);
            model = String.join("/", prefix.subList(marker + 1, prefix.size()));
        } else {
            if (at >= prefix.size()) {
                throw new RouteNotFoundException("The path names no model after the upstream " + authority);
            }
            upstreamPath = prefix.subList(at, prefix.size() - 1);
            model = prefix.get(prefix.size() - 1);
        }
        for (String segment : upstreamPath) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw new RouteNotFoundException("The upstream path has an invalid segment");
            }
        }
        checkModel(model);
        String base = scheme + "://" + authority + (upstreamPath.isEmpty() ? "" : "/" + String.join("/", upstreamPath));
        URI endpoint;
        try {
            endpoint = new URI(Dialect.endpoint(base).toString());
        } catch (URISyntaxException e) {
            throw new RouteNotFoundException("The upstream in the path is not a valid URL");
        }
        if (endpoint.getHost() == null) {
            throw new RouteNotFoundException("'" + shorten(authority) + "' is not a host name");
        }
        return new PathRoute(endpoint, model);
    }

    private static void checkModel(String model) {
        if (model.chars().anyMatch(Character::isISOControl)) {
            throw new RouteNotFoundException("The model in the path holds a control character");
        }
    }

    private static void checkAuthority(String authority) {
        String host = authority;
        int colon = authority.lastIndexOf(':');
        if (colon > authority.lastIndexOf(']')) {
            String port = authority.substring(colon + 1);
            host = authority.substring(0, colon);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new RouteNotFoundException("'" + shorten(authority) + "' has no valid port");
            }
        }
        if (!HOST.matcher(host).matches()) {
            throw new RouteNotFoundException("'" + shorten(host) + "' is not a host name");
        }
        // 127.1, 2130706433, 0x7f.1, 127.000.000.001: resolvers read these as addresses, each its own way.
        if (NUMERIC_LAST_LABEL.matcher(host).matches() && !DOTTED_QUAD.matcher(host).matches()) {
            throw new RouteNotFoundException("'" + shorten(host) + "' is neither a host name nor an address written"
                    + " as four decimal numbers (a.b.c.d)");
        }
    }

    private static String shorten(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }
}
