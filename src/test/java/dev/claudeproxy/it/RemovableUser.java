package dev.claudeproxy.it;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.TokenRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import no.nav.security.mock.oauth2.OAuth2Exception;
import no.nav.security.mock.oauth2.token.OAuth2TokenCallback;

/**
 * A user of mock-oauth2-server, whose tokens it issues (at sign-in and at every refresh, which it
 * answers with the callback of the sign-in) until they are {@link #remove removed}, and then
 * refuses with {@code invalid_grant}, as a real provider refuses a disabled account.
 */
final class RemovableUser implements OAuth2TokenCallback {

    private final OAuth2TokenCallback user;
    private final AtomicBoolean removed = new AtomicBoolean();

    RemovableUser(OAuth2TokenCallback user) {
        this.user = user;
    }

    void remove() {
        removed.set(true);
    }

    @Override
    public String issuerId() {
        return user.issuerId();
    }

    @Override
    public String subject(TokenRequest tokenRequest) {
        if (removed.get()) {
            throw new OAuth2Exception(OAuth2Error.INVALID_GRANT, "the user was removed");
        }
        return user.subject(tokenRequest);
    }

    @Override
    public String typeHeader(TokenRequest tokenRequest) {
        return user.typeHeader(tokenRequest);
    }

    @Override
    public List<String> audience(TokenRequest tokenRequest) {
        return user.audience(tokenRequest);
    }

    @Override
    public Map<String, Object> addClaims(TokenRequest tokenRequest) {
        return user.addClaims(tokenRequest);
    }

    @Override
    public long tokenExpiry() {
        return user.tokenExpiry();
    }
}
