package dev.claudeproxy.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyFileTest {

    @TempDir
    Path scratch;
    private final AtomicLong now = new AtomicLong();

    @Test
    void aFileThatCannotBeTakenStopsTheStartNamingItsLine() throws Exception {
        Path file = Files.writeString(scratch.resolve("policy.conf"), "[everyone]\nrequests_per_minute = ten\n");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> PolicyFile.load(Optional.of(file), now::get));
        assertTrue(refused.getMessage().contains("policy.conf, line 2: 'ten' is not a whole number"), refused.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PolicyFile.load(Optional.of(scratch.resolve("none")),
                now::get)).getMessage().contains("cannot be read"));
    }

    @Test
    void aChangedFileIsReadAgainAndARefusedChangeKeepsThePolicyBefore() throws Exception {
        Path file = Files.writeString(scratch.resolve("policy.conf"), "[everyone]\nrequests_per_minute = 10\n");
        PolicyFile policy = PolicyFile.load(Optional.of(file), now::get);
        assertEquals(OptionalLong.of(10), policy.current().limits("ada", List.of()).requestsPerMinute());

        Files.writeString(file, "[everyone]\nrequests_per_minute = 20\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        assertEquals(OptionalLong.of(10), policy.current().limits("ada", List.of()).requestsPerMinute(),
                "not looked at again within two seconds");
        now.addAndGet(PolicyFile.CHECK_NANOS);
        assertEquals(OptionalLong.of(20), policy.current().limits("ada", List.of()).requestsPerMinute());

        Files.writeString(file, "[everyone]\nrequests_per_minute = twenty\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        now.addAndGet(PolicyFile.CHECK_NANOS);
        assertEquals(OptionalLong.of(20), policy.current().limits("ada", List.of()).requestsPerMinute(),
                "the refused change leaves the policy before it");
    }

    @Test
    void aPriceResolvedOnceFollowsTheChangedFile() throws Exception {
        Path file = Files.writeString(scratch.resolve("policy.conf"), "[prices]\napi.example/gpt-* = 1, 0.5, 4\n");
        PolicyFile policy = PolicyFile.load(Optional.of(file), now::get);
        assertEquals(4_000_000, policy.price("api.example", "gpt-5").orElseThrow().outputPerMillion());
        assertEquals(policy.price("api.example", "gpt-5"), policy.price("API.example", "gpt-5").map(price -> price),
                "a host matches whatever its case");
        assertTrue(policy.price("other.example", "gpt-5").isEmpty());

        Files.writeString(file, "[prices]\napi.example/gpt-* = 1, 0.5, 8\n*/gpt-5 = 2, 1, 16\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        now.addAndGet(PolicyFile.CHECK_NANOS);
        assertEquals(8_000_000, policy.price("api.example", "gpt-5").orElseThrow().outputPerMillion(),
                "the price kept for this model went with the policy it was resolved under");
        assertEquals(16_000_000, policy.price("other.example", "gpt-5").orElseThrow().outputPerMillion());
        assertEquals(8_000_000, policy.price("api.example", "gpt-" + "5".repeat(PolicyFile.MAX_RESOLVED_CHARS))
                .orElseThrow().outputPerMillion(), "a model id past the bound is priced, not kept");
    }
}
