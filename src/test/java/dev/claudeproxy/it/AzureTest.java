package dev.claudeproxy.it;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Azure OpenAI: the key in an api-key header, and api-version on classic deployment URLs. */
class AzureTest {

    private static final String COMPLETION = "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}";
    private static final String BODY = "{\"model\":\"c\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static GatewayHarness harness;

    @BeforeAll
    static void start() {
        // The stand-in upstream is on localhost; the profile a real *.openai.azure.com host gets is named for it.
        harness = new GatewayHarness("", Map.of("PROFILE_BY_HOST", "localhost=azure", "AZURE_API_VERSION", "2025-01-01-preview"));
        harness.upstream.stubFor(post(urlEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview"))
                .willReturn(okJson(COMPLETION)));
        harness.upstream.stubFor(post(urlEqualTo("/openai/v1/chat/completions")).willReturn(okJson(COMPLETION)));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void deploymentUrlGetsApiVersionAndTheKeyGoesInApiKey() throws Exception {
        var response = harness.post("/http/localhost:" + harness.upstream.port() + "/openai/deployments/gpt-4o/gpt-4o/v1/messages",
                BODY, "x-api-key", "azure-key-1");
        assertEquals(200, response.statusCode(), response.body());
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview"))
                .withHeader("api-key", equalTo("azure-key-1")).withHeader("Authorization", absent()));
    }

    @Test
    void v1ApiUrlNeedsNoApiVersion() throws Exception {
        var response = harness.post("/http/localhost:" + harness.upstream.port() + "/openai/v1/gpt-4o/v1/messages",
                BODY, "x-api-key", "azure-key-2");
        assertEquals(200, response.statusCode(), response.body());
        harness.upstream.verify(postRequestedFor(urlEqualTo("/openai/v1/chat/completions"))
                .withHeader("api-key", equalTo("azure-key-2")));
    }
}
