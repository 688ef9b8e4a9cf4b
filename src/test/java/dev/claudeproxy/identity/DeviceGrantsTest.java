package dev.claudeproxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeviceGrantsTest {

    private static final byte[] SECRET = "a-session-secret-of-at-least-thirty-two-bytes".getBytes(StandardCharsets.UTF_8);

    /**
     * A code entered again and again (a browser reloading, or someone holding a valid code) keeps one
     * browser step per sign-in, the last: the steps held stay bounded by the sign-ins under way.
     */
    @Test
    void aSignInHoldsOnlyItsLastBrowserStep() {
        DeviceGrants grants = new DeviceGrants(Clock.systemUTC(), GrantStore.inMemory(), SECRET);
        String deviceCode = grants.start().orElseThrow().deviceCode();
        String first = grants.holdBrowserStep(deviceCode).state();
        String second = grants.holdBrowserStep(deviceCode).state();
        String last = grants.holdBrowserStep(deviceCode).state();
        assertTrue(grants.takeBrowserStep(first).isEmpty(), "an earlier step is gone");
        assertTrue(grants.takeBrowserStep(second).isEmpty(), "an earlier step is gone");
        assertEquals(deviceCode, grants.takeBrowserStep(last).orElseThrow().deviceCode());
    }

    /**
     * Two nodes over one store: each step may be served by either, and what is taken once (the
     * browser step, the tokens) is taken once across both.
     */
    @Test
    void nodesSharingAStoreServeEachOthersSignIns() {
        GrantStore shared = GrantStore.inMemory();
        DeviceGrants one = new DeviceGrants(Clock.systemUTC(), shared, SECRET);
        DeviceGrants two = new DeviceGrants(Clock.systemUTC(), shared, SECRET);
        DeviceGrants.Started started = one.start().orElseThrow();
        assertEquals(DeviceGrants.Outcome.PENDING, two.poll(started.deviceCode()).outcome());
        assertEquals(Optional.of(started.deviceCode()), two.pendingByUserCode(started.userCode().toLowerCase()));
        DeviceGrants.BrowserStart browser = two.holdBrowserStep(started.deviceCode());
        DeviceGrants.BrowserStep step = one.takeBrowserStep(browser.state()).orElseThrow();
        assertTrue(two.takeBrowserStep(browser.state()).isEmpty(), "a state is good once, on any node");
        assertTrue(DeviceGrants.sameBrowser(step, browser.browserSecret()));
        assertEquals(browser.codeVerifier(), step.codeVerifier());
        one.complete(step.deviceCode(), new DeviceGrants.Tokens("access", 3600, Optional.of("refresh"), Optional.empty()));
        DeviceGrants.Poll taken = two.poll(started.deviceCode());
        assertEquals(DeviceGrants.Outcome.COMPLETE, taken.outcome());
        assertEquals("refresh", taken.tokens().orElseThrow().refreshToken().orElseThrow());
        assertEquals(DeviceGrants.Outcome.EXPIRED, one.poll(started.deviceCode()).outcome(), "handed out once");
        assertTrue(two.pendingByUserCode(started.userCode()).isEmpty(), "its user code is gone with it");
    }

    /** What a shared store holds reveals no code, no state and no token: names are keyed hashes, values sealed. */
    @Test
    void theStoreHoldsNoCodeAndNoTokenReadable() {
        List<String> written = new ArrayList<>();
        GrantStore memory = GrantStore.inMemory();
        GrantStore recording = new GrantStore() {
            @Override
            public boolean add(String name, String value, Instant expires) {
                written.add(name);
                written.add(value);
                return memory.add(name, value, expires);
            }

            @Override
            public Optional<Held> get(String name, Instant now) {
                return memory.get(name, now);
            }

            @Override
            public boolean replace(String name, long version, String value) {
                written.add(value);
                return memory.replace(name, version, value);
            }

            @Override
            public boolean remove(String name, long version) {
                return memory.remove(name, version);
            }

            @Override
            public void remove(String name) {
                memory.remove(name);
            }

            @Override
            public int count(String prefix, Instant now) {
                return memory.count(prefix, now);
            }

            @Override
            public void purge(Instant now) {
                memory.purge(now);
            }
        };
        DeviceGrants grants = new DeviceGrants(Clock.systemUTC(), recording, SECRET);
        DeviceGrants.Started started = grants.start().orElseThrow();
        DeviceGrants.BrowserStart browser = grants.holdBrowserStep(started.deviceCode());
        grants.complete(started.deviceCode(), new DeviceGrants.Tokens("the-access-token", 3600,
                Optional.of("the-refresh-token"), Optional.of("ada@corp.example")));
        List<String> secrets = List.of(started.deviceCode(), started.userCode(), browser.state(), browser.codeVerifier(),
                browser.nonce(), browser.browserSecret(), "the-access-token", "the-refresh-token", "ada@corp.example");
        assertFalse(written.isEmpty());
        for (String text : written) {
            for (String secret : secrets) {
                assertFalse(text.contains(secret), "the store saw " + secret);
            }
        }
        DeviceGrants otherSecret = new DeviceGrants(Clock.systemUTC(), recording,
                "another-secret-of-at-least-thirty-two-bytes!".getBytes(StandardCharsets.UTF_8));
        assertEquals(DeviceGrants.Outcome.EXPIRED, otherSecret.poll(started.deviceCode()).outcome(),
                "a node with another secret finds nothing");
        assertEquals(DeviceGrants.Outcome.COMPLETE, grants.poll(started.deviceCode()).outcome());
    }
}
