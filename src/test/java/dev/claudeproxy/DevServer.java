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
 */
public final class DevServer {

    private DevServer() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> settings = dotEnv(Path.of(".env"));
        settings.keySet().removeIf(name -> System.getenv(name) != null);
        String port = System.getenv().getOrDefault("PORT", settings.getOrDefault("PORT", "8080"));
        EmbeddedGateway gateway = EmbeddedGateway.start(Integer.parseInt(port.strip()), "", settings, Map.of());
        System.out.println("claude-proxy listening on http://localhost:" + gateway.port()
                + (settings.isEmpty() ? "" : " with settings " + settings.keySet() + " from .env"));
        System.out.println("Example: ANTHROPIC_BASE_URL=http://localhost:" + gateway.port()
                + "/api.groq.com/openai/v1/llama-3.3-70b-versatile claude");
        gateway.await();
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
