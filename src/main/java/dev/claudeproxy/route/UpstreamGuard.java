package dev.claudeproxy.route;

import dev.claudeproxy.config.Settings;
import dev.claudeproxy.config.UpstreamAllowlist;
import dev.claudeproxy.config.UpstreamAllowlist.Verdict;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps dynamic routing from being an open relay into the server's own network. An upstream named
 * in a request path is refused when it is, or resolves to, a link-local address (169.254.0.0/16,
 * fe80::/10, where every cloud's instance-metadata service lives) or another known metadata
 * address or name, always; when the {@link UpstreamAllowlist} does not allow it; and, when only
 * the list's {@code *} allows it, when any address it resolves to is not public (loopback,
 * private, unique-local...).
 */
public final class UpstreamGuard {

    private static final Set<String> METADATA_NAMES = Set.of("metadata.google.internal", "metadata.goog",
            "metadata", "instance-data", "instance-data.ec2.internal");
    /** Metadata services outside the link-local range: Alibaba Cloud's, and AWS's IPv6 one. */
    private static final Set<String> METADATA_ADDRESSES = Set.of("100.100.100.200", "fd00:ec2:0:0:0:0:0:254");

    private final UpstreamAllowlist allowlist;

    public UpstreamGuard(UpstreamAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    /**
     * Checks a path's upstream by its name, then by every address it resolves to now.
     *
     * @return why the upstream is refused, or empty when it may be called
     */
    public Optional<String> refusal(String host, int port) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (METADATA_NAMES.contains(name)) {
            return Optional.of("upstream " + host + " is a cloud metadata service, which this gateway never calls");
        }
        Verdict verdict = allowlist.verdict(name, port);
        if (verdict == Verdict.REFUSED) {
            return Optional.of("upstream " + host + ":" + port + " is not on this gateway's upstream allowlist ("
                    + Settings.UPSTREAM_ALLOWLIST + ")");
        }
        String bare = name.startsWith("[") ? name.substring(1, name.length() - 1) : name;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty(); // the call fails to connect, and says so (502)
        }
        for (InetAddress address : addresses) {
            Optional<String> refused = refusal(host, address, verdict);
            if (refused.isPresent()) {
                return refused;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a connection to {@code address} may be opened for a path's upstream {@code host:port}:
     * asked for every address of every connection, retries included, so the address checked is the
     * address connected.
     */
    public Optional<String> connectionRefusal(String host, int port, InetAddress address) {
        return refusal(host, address, allowlist.verdict(host, port));
    }

    /** Whether one address of a host the allowlist judged {@code verdict} may be connected to. */
    public Optional<String> refusal(String host, InetAddress address, Verdict verdict) {
        if (address.isLinkLocalAddress() || METADATA_ADDRESSES.contains(canonical(address))) {
            return Optional.of("upstream " + host + " is a link-local or cloud metadata address,"
                    + " which this gateway never calls");
        }
        if (verdict == Verdict.PUBLIC_ONLY && !allowlist.permitsAddress(address)) {
            return Optional.of("upstream " + host + " is, or resolves to, an address of the gateway's own machine or"
                    + " network (loopback, private or unique-local), which a request path may reach only when "
                    + Settings.UPSTREAM_ALLOWLIST + " names it");
        }
        return Optional.empty();
    }

    private static String canonical(InetAddress address) {
        String text = address.getHostAddress();
        if (address instanceof Inet6Address) {
            int zone = text.indexOf('%');
            return zone < 0 ? text : text.substring(0, zone);
        }
        return text;
    }

    /** For readiness: whether paths may name any public host, or only listed ones. */
    public boolean anyPublicHost() {
        return allowlist.anyPublic();
    }
}
