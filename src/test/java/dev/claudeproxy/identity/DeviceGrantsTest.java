package dev.claudeproxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class DeviceGrantsTest {

    /**
     * A code entered again and again (a browser reloading, or someone holding a valid code) keeps one
     * browser step per sign-in, the last: the steps held stay bounded by the sign-ins under way.
     */
    @Test
    void aSignInHoldsOnlyItsLastBrowserStep() {
        DeviceGrants grants = new DeviceGrants(Clock.systemUTC());
        String deviceCode = grants.start().orElseThrow().deviceCode();
        String first = grants.holdBrowserStep(deviceCode).state();
        String second = grants.holdBrowserStep(deviceCode).state();
        String last = grants.holdBrowserStep(deviceCode).state();
        assertTrue(grants.takeBrowserStep(first).isEmpty(), "an earlier step is gone");
        assertTrue(grants.takeBrowserStep(second).isEmpty(), "an earlier step is gone");
        assertEquals(deviceCode, grants.takeBrowserStep(last).orElseThrow().deviceCode());
    }
}
