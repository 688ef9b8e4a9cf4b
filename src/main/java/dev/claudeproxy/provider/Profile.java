package dev.claudeproxy.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What differs between upstream families, declared in one place. A profile is chosen by the
 * upstream's host, and, for hosts that serve many families (OpenRouter, LiteLLM or one-api
 * gateways, a local vLLM), by the model id; deployments can name one per host
 * ({@code PROFILE_BY_HOST}). Unknown upstreams get {@link #GENERIC}. A profile is one line: how
 * tool-call ids must look to it, and its {@link Trait}s.
 */
public enum Profile {
    GENERIC(ToolIds.KEEP),
    OPENAI(ToolIds.MAX_40, Trait.PDF_FILES, Trait.OPENAI_MODELS, Trait.STRICT_FUNCTIONS, Trait.CACHE_KEYS),
    AZURE(ToolIds.MAX_40, Trait.PDF_FILES, Trait.OPENAI_MODELS, Trait.STRICT_FUNCTIONS, Trait.CACHE_KEYS,
            Trait.API_KEY_HEADER),
    GEMINI(ToolIds.KEEP, Trait.GEMINI_SCHEMAS, Trait.REASONING_EFFORT, Trait.THOUGHT_SIGNATURES),
    GROQ(ToolIds.KEEP, Trait.STRICT_SCHEMAS),
    OLLAMA(ToolIds.KEEP, Trait.REASONING_EFFORT),
    DEEPSEEK(ToolIds.KEEP, Trait.REPLAYS_REASONING, Trait.NO_JSON_SCHEMA),
    OPENROUTER(ToolIds.KEEP, Trait.PDF_FILES),
    MISTRAL(ToolIds.NINE_ALPHANUMERIC, Trait.STRICT_SCHEMAS);

    /** Tool-call id rules: kept; at most 40 characters from [A-Za-z0-9_-] (OpenAI); exactly 9 of [A-Za-z0-9] (Mistral). */
    public enum ToolIds { KEEP, MAX_40, NINE_ALPHANUMERIC }

    /** What sets an upstream family apart. */
    public enum Trait {
        /** Tool schemas are rewritten into the subset Gemini accepts. */
        GEMINI_SCHEMAS,
        /** The upstream validates requests strictly: tool schemas lose their annotation keywords. */
        STRICT_SCHEMAS,
        /** {@code thinking} may be sent as {@code reasoning_effort}, for every model. */
        REASONING_EFFORT,
        /**
         * OpenAI's reasoning models (o-series, gpt-5) are served: they take only
         * {@code max_completion_tokens}, no sampling parameters, and {@code reasoning_effort}.
         */
        OPENAI_MODELS,
        /** Assistant tool-call turns carry their {@code reasoning_content} back (DeepSeek thinking mode). */
        REPLAYS_REASONING,
        /** PDF documents may be sent as {@code file} content parts. */
        PDF_FILES,
        /** The key goes in an {@code api-key} header instead of {@code Authorization: Bearer} (Azure). */
        API_KEY_HEADER,
        /** Each function call's {@code thought_signature} must come back on the next turn (Gemini 3). */
        THOUGHT_SIGNATURES,
        /** {@code strict} is taken on functions and on {@code json_schema} response formats. */
        STRICT_FUNCTIONS,
        /** {@code prompt_cache_key} and {@code safety_identifier} are taken (OpenAI, Azure). */
        CACHE_KEYS,
        /** No {@code json_schema} response format is taken (DeepSeek: JSON mode only). */
        NO_JSON_SCHEMA
    }

    private static final Pattern OPENAI_REASONING_MODEL = Pattern.compile("^(o\\d|gpt-5)");

    private final ToolIds toolIds;
    private final Set<Trait> traits;

    Profile(ToolIds toolIds, Trait... traits) {
        this.toolIds = toolIds;
        this.traits = traits.length == 0 ? EnumSet.noneOf(Trait.class) : EnumSet.copyOf(List.of(traits));
    }

    public boolean has(Trait trait) {
        return traits.contains(trait);
    }

    /**
     * @param overrides host → profile, from configuration; they win over the built-in choice
     */
    public static Profile of(String host, int port, String model, Map<String, Profile> overrides) {
        String lowerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
        Optional<Profile> byHost = ofHost(lowerHost, port, overrides);
        if (byHost.isPresent()) {
            return byHost.get();
        }
        Profile family = byModel(model.toLowerCase(Locale.ROOT));
        // OpenRouter serves every family: the model's family decides, OpenRouter's own rules otherwise.
        return family == GENERIC && lowerHost.equals("openrouter.ai") ? OPENROUTER : family;
    }

    /**
     * The profile of a host that is one provider's own API (built in, or named for the host by
     * configuration); empty for hosts that serve what their deployment chooses.
     */
    public static Optional<Profile> ofHost(String host, int port, Map<String, Profile> overrides) {
        String lowerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return Optional.ofNullable(overrides.get(lowerHost)).or(() -> byHost(lowerHost, port));
    }

    /**
     * Whether the host is a provider's public API (built in: OpenAI, Azure OpenAI, Gemini, Groq,
     * DeepSeek, Mistral, OpenRouter, Ollama's port; or named by configuration), whose error
     * messages are written for its callers and may be shown to the client as they are.
     */
    public static boolean isProviderApi(String host, int port, Map<String, Profile> overrides) {
        String lowerHost = host == null ? "" : host.toLowerCase(Locale.ROOT);
        return lowerHost.equals("openrouter.ai") || ofHost(lowerHost, port, overrides).isPresent();
    }

    private static Optional<Profile> byHost(String host, int port) {
        if (host.equals("api.openai.com")) {
            return Optional.of(OPENAI);
        }
        if (host.endsWith(".openai.azure.com") || host.endsWith(".cognitiveservices.azure.com")) {
            return Optional.of(AZURE);
        }
        if (host.endsWith("generativelanguage.googleapis.com")) {
            return Optional.of(GEMINI);
        }
        if (host.equals("api.groq.com")) {
            return Optional.of(GROQ);
        }
        if (host.equals("api.deepseek.com")) {
            return Optional.of(DEEPSEEK);
        }
        if (host.equals("api.mistral.ai")) {
            return Optional.of(MISTRAL);
        }
        if (port == 11434) {
            return Optional.of(OLLAMA);
        }
        return Optional.empty();
    }

    /** For gateways that serve many families: the family in the model id decides. */
    private static Profile byModel(String model) {
        String family = family(model);
        if (model.contains("gemini")) {
            return GEMINI;
        }
        if (model.contains("deepseek")) {
            return DEEPSEEK;
        }
        if (family.startsWith("mistral") || family.startsWith("magistral") || family.startsWith("codestral")
                || family.startsWith("devstral") || family.startsWith("ministral")) {
            return MISTRAL;
        }
        if (OPENAI_REASONING_MODEL.matcher(family).find()) {
            return OPENAI;
        }
        return GENERIC;
    }

    public ToolIds toolIds() {
        return toolIds;
    }

    /**
     * OpenAI's reasoning models (o-series, gpt-5) want {@code max_completion_tokens} and no
     * sampling parameters.
     */
    public boolean isOpenAiReasoningModel(String model) {
        return has(Trait.OPENAI_MODELS) && OPENAI_REASONING_MODEL.matcher(family(model)).find();
    }

    /**
     * The {@code reasoning_effort} this upstream is sent for a wanted effort, when it takes one for
     * this model. OpenAI's reasoning models get the nearest value each takes (thinking turned off:
     * the least, {@code minimal} or {@code none}; {@code xhigh} where the model has it; {@code max}:
     * the most it has); the others low, medium or high, and nothing for thinking turned off.
     */
    public Optional<String> reasoningEffort(String model, Effort wanted) {
        if (isOpenAiReasoningModel(model)) {
            List<String> ladder = OpenAiEfforts.ladder(family(model));
            return ladder.isEmpty() ? Optional.empty() : Optional.of(OpenAiEfforts.nearest(ladder, wanted));
        }
        if (!has(Trait.REASONING_EFFORT)) {
            return Optional.empty();
        }
        return switch (wanted) {
            case LEAST -> Optional.empty();
            case LOW -> Optional.of("low");
            case MEDIUM -> Optional.of("medium");
            case HIGH, XHIGH, MAX -> Optional.of("high");
        };
    }

    /**
     * Whether {@code stop} may be sent for this model: OpenAI's reasoning models refuse it
     * ("Unsupported parameter: 'stop'"), so the gateway cuts their answers at the stop sequences itself.
     */
    public boolean takesStop(String model) {
        return !isOpenAiReasoningModel(model);
    }

    /** A model id without its organisation prefix, lower-cased: {@code meta-llama/Llama-3} → {@code llama-3}. */
    private static String family(String model) {
        String lower = model.toLowerCase(Locale.ROOT);
        return lower.substring(lower.lastIndexOf('/') + 1);
    }

    /** The header the key goes in: {@code api-key} (Azure, the bare key) or {@code Authorization} (as a Bearer token). */
    public String keyHeader() {
        return has(Trait.API_KEY_HEADER) ? "api-key" : "Authorization";
    }

    /**
     * Where the request goes: Azure's classic deployment URLs need an api-version, and so does its
     * classic Responses URL ({@code /openai/responses}, from {@link #AZURE_RESPONSES_API_VERSION}
     * when the one configured is older); its /openai/v1 API needs none.
     */
    public URI requestUri(URI endpoint, String azureApiVersion) {
        if (this != AZURE || endpoint.getQuery() != null) {
            return endpoint;
        }
        String version = null;
        if (endpoint.getPath().contains("/deployments/")) {
            version = azureApiVersion;
        } else if (endpoint.getPath().endsWith("/openai/responses")) {
            version = azureApiVersion.compareTo(AZURE_RESPONSES_API_VERSION) >= 0 ? azureApiVersion : AZURE_RESPONSES_API_VERSION;
        }
        return version == null ? endpoint
                : URI.create(endpoint + "?api-version=" + URLEncoder.encode(version, StandardCharsets.UTF_8));
    }

    /** The first api-version of Azure's classic Responses URL. */
    public static final String AZURE_RESPONSES_API_VERSION = "2025-03-01-preview";

    /**
     * The largest output a model is known to take, for models whose limit is below what Claude
     * Code asks for; empty when unknown (the configured cap and the retry-once rule then apply).
     */
    public OptionalInt knownOutputLimit(String model) {
        String family = family(model);
        if (this == DEEPSEEK) {
            // V4 (Flash and Pro, and deepseek-chat and deepseek-reasoner, V4 Flash's two modes): 384K.
            if (family.startsWith("deepseek-v4") || family.equals("deepseek-chat") || family.equals("deepseek-reasoner")) {
                return OptionalInt.of(393_216);
            }
            return OptionalInt.of(family.contains("reasoner") || family.contains("-r1") ? 65536 : 8192);
        }
        if (family.startsWith("gpt-4o")) {
            return OptionalInt.of(16384);
        }
        if (family.startsWith("gpt-4.1")) {
            return OptionalInt.of(32768);
        }
        return OptionalInt.empty();
    }
}
