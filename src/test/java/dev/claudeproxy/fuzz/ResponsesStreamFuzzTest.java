package dev.claudeproxy.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.claudeproxy.provider.Dialect;
import dev.claudeproxy.provider.Profile;
import java.io.IOException;

/**
 * Any bytes an upstream of the Responses API streams back become, through the gateway's reader
 * and {@code ResponsesEvents}, an event sequence every strict client accepts: the promises
 * {@link StreamFuzzTest} checks for Chat Completions streams. Seeds: the Responses API's
 * recorded-shape fixtures. {@code ./mvnw verify} fuzzes it for {@code fuzz.duration}; other runs
 * replay the seeds.
 */
class ResponsesStreamFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void anyResponsesStreamBecomesAWellFormedEventSequence(byte[] upstreamBytes) throws IOException {
        for (Profile profile : new Profile[] {Profile.GENERIC, Profile.OPENAI}) {
            StreamFuzzTest.check(StreamFuzzTest.convert(upstreamBytes, profile, Dialect.RESPONSES));
        }
    }
}
