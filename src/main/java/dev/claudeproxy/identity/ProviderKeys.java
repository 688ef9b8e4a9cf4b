package dev.claudeproxy.identity;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.ResourceRetriever;
import java.net.URL;
import java.util.Set;

/**
 * What the gateway fetches from an identity provider, and its one bound: every fetch (discovery,
 * key set, token endpoint) connects and reads within {@link #TIMEOUT_MILLIS}, and a document past
 * {@link #SIZE_LIMIT_BYTES} is refused. The key set is cached and fetched again, rate-limited, when
 * a token names a key the cache lacks, so the provider's key rotation needs nothing of the operator.
 */
final class ProviderKeys {

    static final int TIMEOUT_MILLIS = 5_000;
    static final int SIZE_LIMIT_BYTES = 512 * 1024;

    private ProviderKeys() {
    }

    static ResourceRetriever retriever() {
        return new DefaultResourceRetriever(TIMEOUT_MILLIS, TIMEOUT_MILLIS, SIZE_LIMIT_BYTES);
    }

    /** The keys of the set at {@code jwks} that verify signatures of these algorithms. */
    static JWSVerificationKeySelector<SecurityContext> selector(URL jwks, Set<JWSAlgorithm> algorithms) {
        return new JWSVerificationKeySelector<>(algorithms, JWKSourceBuilder.create(jwks, retriever()).retrying(true).build());
    }
}
