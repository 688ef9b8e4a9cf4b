package dev.claudeproxy.provider;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many tokens of input a model takes: what Claude Code must compact within. Claude Code sizes
 * its auto-compaction from the window of the Claude model it believes it uses (200k or 1m), so a
 * smaller upstream window has to be told to it ({@code CLAUDE_CODE_AUTO_COMPACT_WINDOW}).
 *
 * <p>A window is known from the operator's setting ({@code CONTEXT_WINDOWS}), else from the
 * provider's documentation, and only for a provider's own API: a profile chosen by host (or named
 * for the host by {@code PROFILE_BY_HOST}). A profile guessed from the model id alone (OpenRouter,
 * vLLM, LiteLLM) says nothing of the window, which the deployment chooses; those are unknown.
 */
public final class ContextWindows {

    /** A documented window, for the model ids starting with {@code prefix} (lower case, organisation prefix kept). */
    private record Documented(String prefix, int tokens) {
    }

    /**
     * The documented windows per provider, most specific prefix first, as the providers' model
     * pages said them in 2026-11. Where a provider documents a context shared by input and output
     * and a smaller input limit, the input limit (GPT-5: 400,000 less 128,000 of output).
     */
    private static final Map<Profile, List<Documented>> DOCUMENTED = Map.of(
            Profile.OPENAI, openAi(),
            Profile.AZURE, openAi(),
            Profile.DEEPSEEK, List.of(
                    // V4 Flash and Pro: "1M"; deepseek-chat and deepseek-reasoner are V4 Flash's two modes.
                    new Documented("deepseek-v4", 1_000_000),
                    new Documented("deepseek-chat", 1_000_000),
                    new Documented("deepseek-reasoner", 1_000_000)),
            Profile.GEMINI, List.of(
                    new Documented("gemini-3", 1_048_576),
                    new Documented("gemini-2.5", 1_048_576),
                    new Documented("gemini-2.0", 1_048_576)),
            Profile.GROQ, List.of(
                    new Documented("moonshotai/kimi-k2-instruct-0905", 262_144),
                    new Documented("llama-3.3-70b-versatile", 131_072),
                    new Documented("llama-3.1-8b-instant", 131_072),
                    new Documented("openai/gpt-oss-", 131_072),
                    new Documented("qwen/qwen3-32b", 131_072),
                    new Documented("meta-llama/llama-4-", 131_072)),
            Profile.MISTRAL, List.of(
                    new Documented("codestral", 256_000),
                    new Documented("mistral-large", 128_000),
                    new Documented("mistral-medium", 128_000),
                    new Documented("mistral-small", 128_000),
                    new Documented("devstral", 128_000),
                    new Documented("ministral", 128_000)));

    /** "maximum context length is 131072 tokens" (OpenAI, vLLM, DeepSeek, Groq); "131072 maximum context length" (Mistral). */
    private static final List<Pattern> NAMED_LIMIT = List.of(
            Pattern.compile("maximum context length (?:is|of) (\\d{3,9})"),
            Pattern.compile("(\\d{3,9}) maximum context length"),
            Pattern.compile("maximum number of tokens allowed \\((\\d{3,9})\\)"),
            Pattern.compile("context (?:length|window|size) (?:is |of )?(\\d{3,9}) tokens"),
            Pattern.compile("\"n_ctx\"\\s*:\\s*(\\d{3,9})"));

    private ContextWindows() {
    }

    private static List<Documented> openAi() {
        return List.of(
                new Documented("gpt-5-chat", 128_000),
                new Documented("gpt-5", 272_000),
                new Documented("gpt-4.1", 1_047_576),
                new Documented("gpt-4o", 128_000),
                new Documented("o4-mini", 200_000),
                new Documented("o3", 200_000),
                new Documented("o1", 200_000),
                new Documented("codex-mini", 200_000));
    }

    /**
     * The window of a model at an upstream: the configured one, else the documented one, else empty.
     *
     * @param configured {@code CONTEXT_WINDOWS}: {@code host[:port]/model} or {@code host[:port]} → tokens, keys in lower case
     * @param profileByHost {@code PROFILE_BY_HOST}, which makes a host one provider's API
     */
    public static OptionalInt of(String host, int port, String model, Map<String, Integer> configured,
                                 Map<String, Profile> profileByHost) {
        String lowerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
        String lowerModel = model.strip().toLowerCase(Locale.ROOT);
        List<String> keys = port > 0
                ? List.of(lowerHost + ":" + port + "/" + lowerModel, lowerHost + "/" + lowerModel, lowerHost + ":" + port, lowerHost)
                : List.of(lowerHost + "/" + lowerModel, lowerHost);
        for (String key : keys) {
            Integer tokens = configured.get(key);
            if (tokens != null) {
                return OptionalInt.of(tokens);
            }
        }
        return Profile.ofHost(lowerHost, port, profileByHost).map(profile -> documented(profile, lowerModel))
                .orElse(OptionalInt.empty());
    }

    private static OptionalInt documented(Profile profile, String lowerModel) {
        // Gemini's endpoint takes its ids with or without "models/".
        String id = lowerModel.startsWith("models/") ? lowerModel.substring("models/".length()) : lowerModel;
        for (Documented entry : DOCUMENTED.getOrDefault(profile, List.of())) {
            if (id.startsWith(entry.prefix())) {
                return OptionalInt.of(entry.tokens());
            }
        }
        return OptionalInt.empty();
    }

    /**
     * The context limit an upstream names when it refuses a prompt for length, when it names one:
     * what an operator would set as the model's window.
     */
    public static OptionalInt namedIn(String refusal) {
        String lower = refusal.toLowerCase(Locale.ROOT);
        for (Pattern pattern : NAMED_LIMIT) {
            Matcher matcher = pattern.matcher(lower);
            if (matcher.find()) {
                return OptionalInt.of(Integer.parseInt(matcher.group(1)));
            }
        }
        return OptionalInt.empty();
    }

    /** The setting's key for one model at one upstream, as {@code CONTEXT_WINDOWS} takes it. */
    public static String settingKey(String authority, String model) {
        return Optional.ofNullable(authority).orElse("").toLowerCase(Locale.ROOT) + "/" + model.strip();
    }
}
