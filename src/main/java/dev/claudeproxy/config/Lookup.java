package dev.claudeproxy.config;

import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.naming.Context;
import javax.naming.InitialContext;
import javax.naming.NameNotFoundException;
import javax.naming.NamingException;

/**
 * The one seam every setting is read through: a name in, a non-blank value or nothing out.
 * {@link #chain} consults its sources in order; {@link #standard} is the chain the gateway uses.
 */
@FunctionalInterface
public interface Lookup {

    Optional<String> find(String name);

    static Lookup chain(Lookup... sources) {
        return name -> {
            for (Lookup source : sources) {
                Optional<String> value = source.find(name).filter(v -> !v.isBlank());
                if (value.isPresent()) {
                    return value;
                }
            }
            return Optional.empty();
        };
    }

    /**
     * JNDI {@code java:comp/env} → servlet context parameters → environment variables → Java
     * system properties; the first non-blank value wins, and defaults apply after all four.
     */
    static Lookup standard(Function<String, String> contextParameters) {
        return chain(jndi(), of(contextParameters), environment(), systemProperties());
    }

    static Lookup of(Function<String, String> source) {
        return name -> Optional.ofNullable(source.apply(name));
    }

    static Lookup environment() {
        return of(System::getenv);
    }

    /** {@code -DNAME=value} on the container's command line (Tomcat's {@code setenv.sh}, Jetty's {@code start.ini}). */
    static Lookup systemProperties() {
        return of(System::getProperty);
    }

    /**
     * Entries of the container's {@code java:comp/env}; nothing where the container has no JNDI
     * (embedded servers, plain Jetty without the plus module).
     */
    static Lookup jndi() {
        Context context;
        try {
            context = new InitialContext();
            context.lookup("java:comp/env");
        } catch (NamingException | RuntimeException e) {
            log().log(Level.FINE, "no JNDI java:comp/env here; settings come from context parameters and environment", e);
            return name -> Optional.empty();
        }
        return jndi(context);
    }

    /**
     * Entries of {@code context} under {@code java:comp/env}. A name that is not bound is nothing,
     * quietly, however the container says so: Tomcat throws {@link NameNotFoundException}, GlassFish
     * and Payara a bare {@link NamingException} whose root cause is one. Any other failure is one
     * warning line (its stack trace at FINE), and the next source is asked.
     */
    static Lookup jndi(Context context) {
        return name -> {
            try {
                Object value = context.lookup("java:comp/env/" + name);
                return Optional.ofNullable(value).map(Object::toString);
            } catch (NamingException e) {
                if (!notBound(e)) {
                    log().warning(() -> "JNDI lookup of " + name + " failed (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + "); trying the next source");
                    log().log(Level.FINE, "JNDI lookup of " + name + " failed", e);
                }
                return Optional.empty();
            }
        };
    }

    private static Logger log() {
        return Logger.getLogger(Lookup.class.getName());
    }

    private static boolean notBound(NamingException failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < 8; depth++, cause = cause.getCause()) {
            if (cause instanceof NameNotFoundException) {
                return true;
            }
        }
        return false;
    }
}
