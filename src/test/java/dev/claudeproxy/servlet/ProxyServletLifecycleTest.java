package dev.claudeproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/** Issue 29: a container may destroy a servlet whose init() failed; that must not throw. */
class ProxyServletLifecycleTest {

    @Test
    void destroyAfterAFailedInitDoesNotThrow() {
        assertDoesNotThrow(() -> new ProxyServlet().destroy());
    }
}
