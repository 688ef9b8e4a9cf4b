package dev.claudeproxy.route;

import dev.claudeproxy.config.UpstreamAllowlist;
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
 * address or name, always; and when it is not on the {@link UpstreamAllowlist}.
 *
 * <p>The check resolves the name with the JVM's resolver and cache, which the upstream connection
 * then uses too; a host that does not resolve is let through and fails to connect (502).
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

    /** @return why the host is refused, or empty when it may be called */
    public Optional<String> refusal(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (METADATA_NAMES.contains(name)) {
            return Optional.of("upstream " + host + " is a cloud metadata service, which this gateway never calls");
        }
        if (!allowlist.permits(name)) {
            return Optional.of("upstream " + host + " is not on this gateway's upstream allowlist");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(name);
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            if (address.isLinkLocalAddress() || METADATA_ADDRESSES.contains(canonical(address))) {
                return Optional.of("upstream " + host + " is a link-local or cloud metadata address,"
                        + " which this gateway never calls");
            }
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
}
