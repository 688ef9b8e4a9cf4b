package dev.claudeproxy.provider;

/**
 * The upstream one conversion is for.
 *
 * @param model the upstream model id
 * @param authority the upstream's host and port, which thinking signatures are bound to
 * @param maxTokensCap the largest output-token limit this upstream is sent
 * @param relaysErrors whether its error messages are shown to the client as written: only a
 *     provider's own API ({@link Profile#isProviderApi}); any other upstream may be an internal
 *     service whose errors hold what the client must not see
 */
public record Target(String model, String authority, Profile profile, int maxTokensCap, ThinkingSigner thinkingSigner,
                     boolean relaysErrors) {
}
