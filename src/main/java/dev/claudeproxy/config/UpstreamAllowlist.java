package dev.claudeproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The upstreams a request path may name ({@code UPSTREAM_ALLOWLIST}), as a list of entries:
 *
 * <ul>
 *   <li>{@code *}: any host on the public internet (what an unset list means);
 *   <li>{@code host} or {@code host:port}: that host name or address literal ({@code [::1]} for IPv6),
 *       on any port or on that port, whatever it resolves to;
 *   <li>{@code *.example.com} or {@code *.example.com:port}: any subdomain of {@code example.com};
 *   <li>{@code 10.0.0.0/8}, {@code fd00::/8}: any host that resolves into that network, on any port.
 * </ul>
 *
 * A host named by an entry may be anything, a private server included; a host allowed only by
 * {@code *} must resolve to public addresses only, so that by default no path reaches the
 * gateway's own machine or network. A malformed entry fails at start, naming it. Routes
 * configured on the server are not subject to the list.
 */
public final class UpstreamAllowlist {

    /** What the list says of one host and port, before any address is looked at. */
    public enum Verdict {
        /** An entry names it: call it whatever it resolves to. */
        NAMED,
        /** Only {@code *} allows it: call it only if every address it resolves to is public (or in a listed network). */
        PUBLIC_ONLY,
        /** No entry allows it. */
        REFUSED
    }

    private static final Pattern NAME = Pattern.compile(
            "(\\*\\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:([0-9]{1,5}))?");
    private static final Pattern IPV6 = Pattern.compile("\\[([0-9a-f:.]+)\\](:([0-9]{1,5}))?");
    private static final Pattern NETWORK = Pattern.compile("([0-9a-f:.]+)/([0-9]{1,3})");

    private final boolean anyPublic;
    private final List<HostEntry> hosts;
    private final List<Network> networks;

    private UpstreamAllowlist(boolean anyPublic, List<HostEntry> hosts, List<Network> networks) {
        this.anyPublic = anyPublic;
        this.hosts = List.copyOf(hosts);
        this.networks = List.copyOf(networks);
    }

    /** The list an unset setting means: any public host. */
    public static UpstreamAllowlist publicOnly() {
        return new UpstreamAllowlist(true, List.of(), List.of());
    }

    /** @throws IllegalArgumentException naming the first entry that is none of the forms above */
    public static UpstreamAllowlist parse(List<String> entries) {
        if (entries.isEmpty()) {
            return publicOnly();
        }
        boolean anyPublic = false;
        List<HostEntry> hosts = new ArrayList<>();
        List<Network> networks = new ArrayList<>();
        for (String raw : entries) {
            String entry = raw.strip().toLowerCase(Locale.ROOT);
            Matcher name = NAME.matcher(entry);
            Matcher ipv6 = IPV6.matcher(entry);
            Matcher network = NETWORK.matcher(entry);
            if (entry.equals("*")) {
                anyPublic = true;
            } else if (network.matches()) {
                networks.add(Network.parse(entry, network.group(1), Integer.parseInt(network.group(2))));
            } else if (ipv6.matches()) {
                hosts.add(new HostEntry(false, "[" + literal(entry, ipv6.group(1)).getHostAddress() + "]",
                        port(entry, ipv6.group(3))));
            } else if (name.matches()) {
                hosts.add(new HostEntry(name.group(1) != null, name.group(2), port(entry, name.group(7))));
            } else {
                throw new IllegalArgumentException("'" + raw.strip() + "' is not an allowlist entry (*, host, host:port,"
                        + " *.domain, [ipv6]:port, or a network such as 10.0.0.0/8)");
            }
        }
        return new UpstreamAllowlist(anyPublic, hosts, networks);
    }

    /** Whether any public host may be named (the default), rather than only the listed ones. */
    public boolean anyPublic() {
        return anyPublic;
    }

    /**
     * @param host a host name, or an address literal (IPv6 in brackets) as the request path gave it
     */
    public Verdict verdict(String host, int port) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.startsWith("[")) {
            try {
                name = "[" + InetAddress.getByName(name.substring(1, name.length() - 1)).getHostAddress() + "]";
            } catch (UnknownHostException | RuntimeException e) {
                return Verdict.REFUSED;
            }
        }
        for (HostEntry entry : hosts) {
            if (entry.matches(name, port)) {
                return Verdict.NAMED;
            }
        }
        return anyPublic || !networks.isEmpty() ? Verdict.PUBLIC_ONLY : Verdict.REFUSED;
    }

    /** Whether an address falls in one of the listed networks. */
    public boolean inListedNetwork(InetAddress address) {
        for (Network network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a host allowed only as {@link Verdict#PUBLIC_ONLY} may go to this address. */
    public boolean permitsAddress(InetAddress address) {
        return inListedNetwork(address) || (anyPublic && AddressRanges.isPublic(address));
    }

    private static OptionalInt port(String entry, String digits) {
        if (digits == null) {
            return OptionalInt.empty();
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + entry + "' has no valid port");
        }
        return OptionalInt.of(port);
    }

    private static InetAddress literal(String entry, String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException | RuntimeException e) {
            throw new IllegalArgumentException("'" + entry + "' holds no valid address", e);
        }
    }

    /** A host or domain entry, on any port or one. */
    private record HostEntry(boolean subdomains, String name, OptionalInt port) {
        boolean matches(String host, int requestPort) {
            boolean hostMatches = subdomains ? host.endsWith("." + name) : host.equals(name);
            return hostMatches && (port.isEmpty() || port.getAsInt() == requestPort);
        }
    }

    /** An address range given as network/prefix length. */
    private record Network(byte[] prefix, int bits) {
        static Network parse(String entry, String address, int bits) {
            byte[] bytes = literal(entry, address).getAddress();
            if (bits > bytes.length * 8) {
                throw new IllegalArgumentException("'" + entry + "' has a prefix longer than its address");
            }
            return new Network(bytes, bits);
        }

        boolean contains(InetAddress address) {
            return AddressRanges.inPrefix(address.getAddress(), prefix, bits);
        }
    }
}
