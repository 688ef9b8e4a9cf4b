package dev.claudeproxy.json;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JSON objects that count how often they are hashed, for the tests that writing a body or an
 * answer walks its trees only to write them (issue 28: JSON-B's recursion check hashes every
 * object it writes, and a record's own hash walks its whole tree).
 */
public final class CountedHashes {

    private final AtomicInteger hashed = new AtomicInteger();

    /** The object {@code json} reads as, counting each call of its {@code hashCode} here. */
    public JsonObject object(String json) {
        JsonObject value = Json.readValue(new StringReader(json)).asJsonObject();
        return (JsonObject) Proxy.newProxyInstance(JsonObject.class.getClassLoader(), new Class<?>[] {JsonObject.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("hashCode") && method.getParameterCount() == 0) {
                        hashed.incrementAndGet();
                    }
                    try {
                        return method.invoke(value, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** How often the objects made here were hashed. */
    public int count() {
        return hashed.get();
    }
}
