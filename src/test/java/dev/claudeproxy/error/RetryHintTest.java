package dev.claudeproxy.error;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryHintTest {

    private static RetryHint of(String... namesAndValues) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return RetryHint.of(name -> Optional.ofNullable(headers.get(name)));
    }

    private static Optional<Duration> millis(long millis) {
        return Optional.of(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"6s,6000", "1.57s,1570", "20ms,20", "1m30.5s,90500", "2m59.56s,179560", "1h2m3s,3723000", "7,7000",
        "0s,0", "500us,0"})
    void rateLimitResetDurationsAreRead(String header, long millis) {
        assertEquals(millis(millis), RetryHint.duration(header).map(d -> Duration.ofMillis(d.toMillis())));
    }

    @ParameterizedTest
    @CsvSource({"soon", "6 s", "s", "1x", "-3s", "2d", "NaN", "Infinity", "0x1p3", "''"})
    void anythingElseIsNoDuration(String header) {
        assertEquals(Optional.empty(), RetryHint.duration(header));
    }

    @Test
    void theUpstreamsOwnWaitWinsInMillisecondsThenSecondsOrADate() {
        assertEquals(Optional.of(Duration.ofNanos(1_250_500_000)), of("retry-after-ms", "1250.5", "retry-after", "9").delay());
        assertEquals(millis(2000), of("retry-after", "2", "x-ratelimit-reset-requests", "9s").delay());
        String inThree = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(3).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration wait = of("retry-after", inThree).delay().orElseThrow();
        assertTrue(wait.compareTo(Duration.ofSeconds(1)) > 0 && wait.compareTo(Duration.ofSeconds(4)) <= 0, wait.toString());
        assertEquals(Optional.empty(), of("retry-after", "soon").delay());
        assertEquals(Optional.empty(), of("retry-after", "NaN").delay());
        assertEquals(Optional.empty(), of("retry-after-ms", "2d").delay());
        assertEquals(Optional.empty(), of("retry-after", "86401").delay(), "over a day is no hint");
    }

    @Test
    void withoutRetryAfterTheResetOfTheExhaustedLimitIsTheWait() {
        assertEquals(millis(1500), of("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "1.5s",
                "x-ratelimit-remaining-requests", "99", "x-ratelimit-reset-requests", "1m").delay());
        assertEquals(millis(60_000), of("x-ratelimit-remaining-tokens", "500", "x-ratelimit-reset-tokens", "1.5s",
                "x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1m").delay());
        assertEquals(millis(60_000), of("x-ratelimit-reset-tokens", "1.5s", "x-ratelimit-reset-requests", "1m").delay(),
                "neither said to be exhausted: the later reset covers both");
        assertEquals(millis(1500), of("x-ratelimit-reset-tokens", "1.5s").delay());
        assertEquals(Optional.empty(), of().delay());
    }

    @Test
    void theClientIsToldTheUpstreamsRetryAfterAndTheWaitInMilliseconds() {
        Map<String, String> headers = new LinkedHashMap<>();
        of("retry-after", "2").addTo(headers);
        assertEquals(Map.of("retry-after", "2", "retry-after-ms", "2000"), headers);
        headers.clear();
        of("x-ratelimit-reset-tokens", "6m0s").addTo(headers);
        assertEquals(Map.of("retry-after-ms", "360000"), headers);
        headers.clear();
        RetryHint.NONE.addTo(headers);
        assertEquals(Map.of(), headers);
    }
}
