package dev.claudeproxy.provider;

/**
 * The upstream one conversion is for.
 *
 * @param model the upstream model id
 * @param authority the upstream's host and port, which thinking signatures are bound to
 * @param maxTokensCap the largest output-token limit this upstream is sent
 */
public record Target(String model, String authority, Profile profile, int maxTokensCap, ThinkingSigner thinkingSigner) {
}
