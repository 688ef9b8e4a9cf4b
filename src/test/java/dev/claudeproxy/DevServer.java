package dev.claudeproxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local run ({@code ./mvnw test-compile exec:java}): the WAR's webapp on an embedded Tomcat at
 * http://localhost:8080 (port from {@code PORT}). Settings in {@code .env}, when present, are
 * passed as context parameters, except those the real environment already sets.
 *
 * <p>It listens on loopback only ({@code BIND_ADDRESS}, default 127.0.0.1), and while it does, it
 * also lets request paths name upstreams on this machine (Ollama, a local vLLM: the WAR refuses
 * loopback by default) and answers only requests addressed to this machine by name
 * ({@code ALLOWED_HOSTS}), which keeps web pages that rebind their own names to 127.0.0.1 out.
 */
public final class DevServer {

    static final String LOOPBACK = "127.0.0.1";

    private DevServer() {
    }

    public static void main(String[] args) throws IOException {
        EmbeddedGateway gateway = start(System.getenv(), dotEnv(Path.of(".env")));
        gateway.await();
    }

    /**
     * Starts the local run.
     *
     * @param environment the process environment, which wins over {@code .env}
     * @param dotEnv the settings of {@code .env}
     */
    static EmbeddedGateway start(Map<String, String> environment, Map<String, String> dotEnv) {
        Map<String, String> settings = new LinkedHashMap<>(dotEnv);
        settings.keySet().removeIf(environment::containsKey);
        String port = setting("PORT", environment, settings, "8080").strip();
        String address = setting("BIND_ADDRESS", environment, settings, LOOPBACK).strip();
        settings.remove("PORT");
        settings.remove("BIND_ADDRESS");
        if (isLoopback(address)) {
            LOCAL_DEFAULTS.forEach((name, value) -> {
                if (!environment.containsKey(name)) {
                    settings.putIfAbsent(name, value);
                }
            });
        }
        EmbeddedGateway gateway = EmbeddedGateway.startAsShipped(Integer.parseInt(port), address, "", settings,
                Map.of(), context -> { });
        String shown = address.equals(LOOPBACK) ? "localhost" : address;
        System.out.println("claude-proxy listening on http://" + shown + ":" + gateway.port()
                + (isLoopback(address) ? " (loopback only; BIND_ADDRESS=0.0.0.0 to listen on every interface)" : "")
                + (settings.isEmpty() ? "" : " with settings " + settings.keySet()));
        System.out.println("Example: ANTHROPIC_BASE_URL=http://localhost:" + gateway.port()
                + "/api.groq.com/openai/v1/llama-3.3-70b-versatile claude");
        return gateway;
    }

    /**
     * What a run on loopback adds unless the environment or .env says otherwise: upstreams on this
     * machine may be named, and only requests addressed to this machine by name are answered (a
     * page that rebinds its own name to 127.0.0.1 still sends its own name as Host).
     */
    static final Map<String, String> LOCAL_DEFAULTS = Map.of("UPSTREAM_ALLOWLIST", "*,localhost,127.0.0.1,[::1]",
            "ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]");

    private static String setting(String name, Map<String, String> environment, Map<String, String> dotEnv,
                                  String fallback) {
        String fromEnvironment = environment.get(name);
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment : dotEnv.getOrDefault(name, fallback);
    }

    static boolean isLoopback(String address) {
        return address.equals("localhost") || address.startsWith("127.") || address.equals("::1") || address.equals("[::1]");
    }

    /** KEY=VALUE lines; blank lines and # comments skipped; one pair of surrounding quotes removed. */
    static Map<String, String> dotEnv(Path file) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return values;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || !trimmed.contains("=")) {
                continue;
            }
            if (trimmed.startsWith("export ")) {
                trimmed = trimmed.substring(7).strip();
            }
            String name = trimmed.substring(0, trimmed.indexOf('=')).strip();
            String value = trimmed.substring(trimmed.indexOf('=') + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                    || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            if (!value.isEmpty()) {
                values.put(name, value);
            }
        }
        return values;
    }
}
