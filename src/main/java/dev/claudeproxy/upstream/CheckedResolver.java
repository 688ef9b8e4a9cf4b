package dev.claudeproxy.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;

/**
 * The resolver of the client that calls upstreams named in request paths: it resolves as the
 * system does, then hands the client only addresses the {@link AddressPolicy} allows, and none at
 * all when it refuses any (a name that mixes a public and a private address is refused whole).
 * The client connects to exactly the addresses returned here, so the address checked is the
 * address connected, on every connection, retries included.
 */
final class CheckedResolver implements DnsResolver {

    private final AddressPolicy policy;

    CheckedResolver(AddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        List<InetSocketAddress> allowed = new ArrayList<>();
        for (InetAddress address : checked(host, port)) {
            allowed.add(new InetSocketAddress(address, port));
        }
        return allowed;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        // Only the port-aware method above is called by the connection operator; this one cannot judge ports.
        throw new RefusedAddressException("upstream " + host + " was resolved without its port");
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return SystemDefaultDnsResolver.INSTANCE.resolveCanonicalHostname(host);
    }

    private InetAddress[] checked(String host, int port) throws UnknownHostException {
        InetAddress[] addresses = SystemDefaultDnsResolver.INSTANCE.resolve(host);
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(host, port, address);
            if (refusal.isPresent()) {
                throw new RefusedAddressException(refusal.get());
            }
        }
        return addresses;
    }
}
