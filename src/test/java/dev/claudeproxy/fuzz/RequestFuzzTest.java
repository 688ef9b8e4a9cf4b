package dev.claudeproxy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.claudeproxy.convert.Attribution;
import dev.claudeproxy.anthropic.InvalidMessagesRequestException;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.provider.Profile;
import dev.claudeproxy.convert.RequestConverter;
import dev.claudeproxy.provider.Target;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.convert.TokenCounter;
import dev.claudeproxy.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * Any request body either converts, for every provider profile, into a Chat Completions request
 * that serialises, or is refused as invalid (400 to the client). Any other exception would be a
 * 500 from the gateway, and fails the fuzz test. Seeds: {@code RequestFuzzTestInputs/}.
 * {@code ./mvnw verify} fuzzes it for {@code fuzz.duration} (30 s); every other run replays the seeds.
 */
class RequestFuzzTest {

    private static final ThinkingSigner SIGNATURES = new ThinkingSigner(
            "fuzzing-secret-0123456789".getBytes(StandardCharsets.UTF_8));

    @FuzzTest(maxDuration = "30s")
    void anyBodyConvertsOrIsRefusedAsInvalid(byte[] body) {
        MessagesRequest request;
        try {
            request = MessagesRequestReader.read(body);
        } catch (InvalidMessagesRequestException refused) {
            return;
        }
        TokenCounter.countInput(request, "gpt-4o");
        for (Profile profile : Profile.values()) {
            try {
                Json.write(RequestConverter.toChatRequest(request,
                        new Target("fuzz-model", "upstream.example:443", profile, 4096, SIGNATURES, true), Attribution.NONE));
            } catch (InvalidMessagesRequestException refused) {
                // a block this profile's upstream cannot take: a 400 naming it
            }
        }
    }
}
