package dev.claudeproxy.upstream;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Decides, for each address a host resolves to, whether a connection may go there. Asked each
 * time a connection is opened, with the addresses that connection will use: a name that resolves
 * elsewhere between two calls (DNS rebinding) is checked again. Thread-safe.
 */
@FunctionalInterface
public interface AddressPolicy {

    /** @return why a connection to {@code address}, for {@code host:port}, is refused; empty when it may be made */
    Optional<String> refusal(String host, int port, InetAddress address);
}
