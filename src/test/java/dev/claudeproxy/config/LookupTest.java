package dev.claudeproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.LogCapture;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;
import javax.naming.ServiceUnavailableException;
import org.junit.jupiter.api.Test;

/** The JNDI source of settings, against contexts that fail the ways real containers do. */
class LookupTest {

    /** A context whose {@code lookup} answers from {@code bound} and throws {@code unbound} for any other name. */
    private static Context context(Map<String, String> bound, java.util.function.Function<String, NamingException> unbound) {
        return (Context) Proxy.newProxyInstance(LookupTest.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("lookup")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String name = String.valueOf(args[0]);
                    if (bound.containsKey(name)) {
                        return bound.get(name);
                    }
                    throw unbound.apply(name);
                });
    }

    /** GlassFish and Payara: "Lookup failed for 'java:comp/env/X'", its root cause a NameNotFoundException. */
    private static NamingException glassFishStyle(String name) {
        NamingException failure = new NamingException("Lookup failed for '" + name + "' in SerialContext");
        failure.setRootCause(new NameNotFoundException(name.substring(name.lastIndexOf('/') + 1) + " not found"));
        return failure;
    }

    @Test
    void unboundSettingsAreNothingAndSayNothingWhateverTheContainersException() {
        try (LogCapture log = LogCapture.of(Lookup.class.getName(), Level.INFO)) {
            for (Context context : List.of(context(Map.of(), LookupTest::glassFishStyle),
                    context(Map.of(), name -> new NameNotFoundException(name)))) {
                Lookup jndi = Lookup.jndi(context);
                for (String setting : List.of("HAIKU_BASE_URL", "UPSTREAM_ALLOWLIST", "KEEPALIVE_SECONDS")) {
                    assertEquals(Optional.empty(), jndi.find(setting));
                }
            }
            assertEquals(List.of(), log.messages(), "an unset setting is not a warning");
        }
    }

    @Test
    void aBoundSettingIsFoundAndAnotherFailureIsOneWarningLineWithoutAStackTrace() {
        try (LogCapture log = LogCapture.of(Lookup.class.getName(), Level.INFO)) {
            Lookup jndi = Lookup.jndi(context(Map.of("java:comp/env/HAIKU_MODEL_NAME", "small-model"),
                    name -> new ServiceUnavailableException("naming service down")));
            assertEquals(Optional.of("small-model"), jndi.find("HAIKU_MODEL_NAME"));
            assertEquals(Optional.empty(), jndi.find("HAIKU_BASE_URL"));
            assertEquals(1, log.messages().size(), String.valueOf(log.messages()));
            assertTrue(log.messages().get(0).contains("HAIKU_BASE_URL") && log.messages().get(0).contains("naming service down"),
                    log.messages().get(0));
            assertEquals(List.of(), log.thrownMessages(), "the stack trace goes to FINE only");
        }
    }
}
