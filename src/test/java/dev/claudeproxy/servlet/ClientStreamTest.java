package dev.claudeproxy.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.error.ErrorType;
import dev.claudeproxy.error.ProxyException;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Once the container has ended a response on its own (the client's connection failed: its
 * {@code onError}), it may recycle that response for another request. CI caught the exchange's
 * late error event landing on the next request on that connection, a readiness check whose body
 * never came: since the ping that finds a departed client runs off the exchange's thread, the
 * exchange's own error write came a moment later, after the container had moved on.
 */
class ClientStreamTest {

    @Test
    void nothingTouchesTheResponseOnceTheContainerHasEndedIt() {
        List<String> calls = new ArrayList<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, arguments) -> {
                    calls.add(method.getName());
                    throw new IllegalStateException("recycled: serving another request now");
                });
        int[] completions = new int[1];
        ClientStream client = new ClientStream(response, () -> completions[0]++, new Trace("req_test"));

        client.containerEnded();

        assertThrows(ClientGoneException.class, client::keepAlive, "a ping ends the exchange as a departed client's");
        assertThrows(ClientGoneException.class, client::openEvents);
        client.fail(new ProxyException(ErrorType.API, "late"));
        client.tellIfStillListening();
        client.complete();
        assertTrue(calls.isEmpty(), "the response was touched: " + calls);
        assertEquals(0, completions[0], "completed by the container, not again");
        assertEquals(Exchange.CLIENT_CLOSED_REQUEST, client.status(false));
    }
}
