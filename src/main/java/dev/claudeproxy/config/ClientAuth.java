package dev.claudeproxy.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Who may use the gateway ({@code CLIENT_AUTH}).
 *
 * <ul>
 *   <li>{@code none}: anyone who reaches it (the default; the container or a front proxy may still guard it);
 *   <li>{@code keys}: the client's {@code x-api-key} or Bearer token must be one of {@code CLIENT_KEYS}.
 *       That key is the gateway's credential and is never sent upstream;
 *   <li>{@code principal}: the container must have authenticated the request ({@code getUserPrincipal()});
 *   <li>{@code header}: the SSO front must have set {@code CLIENT_USER_HEADER} (e.g. {@code X-Forwarded-User});
 *   <li>{@code jwt}: the client's Bearer token (or {@code x-api-key}) must be a token the company's
 *       identity provider signed for this gateway ({@link JwtAuth}); it names the user and their
 *       groups, and is never sent upstream;
 *   <li>{@code sso}: the client's Bearer token must be a session token this gateway issued when its
 *       user signed in from Claude Code through the company's identity provider ({@link SignIn}).
 * </ul>
 *
 * @param keys the client keys ({@code CLIENT_KEYS}), for {@code keys}
 * @param keyGroups client keys that also put their caller in a group ({@code CLIENT_KEY_GROUPS}), for {@code keys}
 * @param userHeader the header naming the user, read in every mode but {@code jwt} for the request log
 * @param groupsHeader the header naming the user's groups (comma-separated), trusted as the user
 *     header is: read in the {@code header} mode only
 * @param jwt the identity provider's tokens, for {@code jwt}
 * @param signIn the sign-in from Claude Code, for {@code sso}
 */
public record ClientAuth(Mode mode, List<Secret> keys, List<KeyGroup> keyGroups, String userHeader, String groupsHeader,
                         Optional<JwtAuth> jwt, Optional<SignIn> signIn) {

    public enum Mode { NONE, KEYS, PRINCIPAL, HEADER, JWT, SSO }

    /** A client key that puts whoever presents it in a group (a team's key). */
    public record KeyGroup(String group, Secret key) {
    }

    public ClientAuth {
        keys = List.copyOf(keys);
        keyGroups = List.copyOf(keyGroups);
    }

    /** Whether a presented key is one of the configured client keys; compared in constant time. */
    public boolean acceptsKey(Optional<Secret> presented) {
        if (presented.isEmpty()) {
            return false;
        }
        byte[] candidate = presented.get().reveal().getBytes(StandardCharsets.UTF_8);
        boolean accepted = false;
        for (Secret key : keys) {
            accepted |= MessageDigest.isEqual(candidate, key.reveal().getBytes(StandardCharsets.UTF_8));
        }
        for (KeyGroup keyGroup : keyGroups) {
            accepted |= MessageDigest.isEqual(candidate, keyGroup.key().reveal().getBytes(StandardCharsets.UTF_8));
        }
        return accepted;
    }

    /** The groups a presented key puts its caller in; every key compared, in constant time. */
    public List<String> groupsOfKey(Optional<Secret> presented) {
        if (presented.isEmpty() || keyGroups.isEmpty()) {
            return List.of();
        }
        byte[] candidate = presented.get().reveal().getBytes(StandardCharsets.UTF_8);
        List<String> groups = new java.util.ArrayList<>();
        for (KeyGroup keyGroup : keyGroups) {
            if (MessageDigest.isEqual(candidate, keyGroup.key().reveal().getBytes(StandardCharsets.UTF_8))
                    && !groups.contains(keyGroup.group())) {
                groups.add(keyGroup.group());
            }
        }
        return List.copyOf(groups);
    }

    /** Whether the client's own key may be forwarded upstream: not when it is the gateway's credential. */
    public boolean forwardsClientKey() {
        return mode != Mode.KEYS && mode != Mode.JWT && mode != Mode.SSO;
    }
}
