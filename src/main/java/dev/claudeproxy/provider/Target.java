package dev.claudeproxy.provider;

/**
 * The upstream one conversion is for.
 *
 * @param model the upstream model id
 * @param authority the upstream's host and port, which thinking signatures are bound to
 * @param dialect the API it is called with
 * @param maxTokensCap the largest output-token limit this upstream is sent
 * @param relaysErrors whether its error messages are shown to the client as written: only a
 *     provider's own API ({@link Profile#isProviderApi}); any other upstream may be an internal
 *     service whose errors hold what the client must not see
 */
public record Target(String model, String authority, Profile profile, int maxTokensCap, ThinkingSigner thinkingSigner,
                     boolean relaysErrors, Dialect dialect) {

    /** A Chat Completions upstream. */
    public Target(String model, String authority, Profile profile, int maxTokensCap, ThinkingSigner thinkingSigner,
                  boolean relaysErrors) {
        this(model, authority, profile, maxTokensCap, thinkingSigner, relaysErrors, Dialect.CHAT_COMPLETIONS);
    }

    /** Whether the upstream takes {@code stop} strings: the Responses API has no such field. */
    public boolean takesStop() {
        return dialect == Dialect.CHAT_COMPLETIONS && profile.takesStop(model);
    }
}
