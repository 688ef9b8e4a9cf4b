package dev.claudeproxy.upstream;

import java.net.UnknownHostException;

/**
 * A host whose resolved addresses the {@link AddressPolicy} refused: to the HTTP client it is a
 * name that resolves to nothing it may use, so no connection is ever attempted.
 */
public final class RefusedAddressException extends UnknownHostException {

    public RefusedAddressException(String reason) {
        super(reason);
    }
}
