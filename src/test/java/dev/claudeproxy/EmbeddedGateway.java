package dev.claudeproxy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.FileResourceSet;
import org.apache.tomcat.util.descriptor.web.ContextEnvironment;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * The gateway deployed the way a container deploys it: a real embedded Tomcat reading
 * {@code src/main/webapp/WEB-INF/web.xml}, under a chosen context path, with settings as context
 * parameters and, optionally, JNDI {@code java:comp/env} entries.
 */
public final class EmbeddedGateway implements AutoCloseable {

    private final Tomcat tomcat;
    private final String contextPath;

    private EmbeddedGateway(Tomcat tomcat, String contextPath) {
        this.tomcat = tomcat;
        this.contextPath = contextPath;
    }

    /**
     * What test upstreams need: they listen on loopback, which the gateway refuses by default, so
     * unless a test sets {@code UPSTREAM_ALLOWLIST} itself it is {@value #TEST_ALLOWLIST}.
     */
    public static final String TEST_ALLOWLIST = "*,127.0.0.1,localhost";

    public static EmbeddedGateway start(String contextPath, Map<String, String> contextParams) {
        return start(0, contextPath, contextParams, Map.of());
    }

    /**
     * @param port 0 for any free port
     * @param contextPath "" for ROOT, or "/name"
     */
    /** A gateway at the root whose container has only {@code threads} worker threads, as a small server has. */
    public static EmbeddedGateway withContainerThreads(int threads, Map<String, String> contextParams) {
        return start(0, "", contextParams, Map.of(), context -> {
            org.apache.catalina.Service service = ((org.apache.catalina.Engine) context.getParent().getParent()).getService();
            for (org.apache.catalina.connector.Connector connector : service.findConnectors()) {
                connector.setProperty("maxThreads", Integer.toString(threads));
            }
        });
    }

    public static EmbeddedGateway start(int port, String contextPath, Map<String, String> contextParams,
                                        Map<String, String> jndiEntries) {
        return start(port, contextPath, contextParams, jndiEntries, context -> { });
    }

    /** @param customizer adds to the webapp's context before start (a valve standing in for container sign-on) */
    public static EmbeddedGateway start(int port, String contextPath, Map<String, String> contextParams,
                                        Map<String, String> jndiEntries, Consumer<Context> customizer) {
        Map<String, String> withLoopback = new java.util.HashMap<>(contextParams);
        if (!jndiEntries.containsKey("UPSTREAM_ALLOWLIST")) {
            withLoopback.putIfAbsent("UPSTREAM_ALLOWLIST", TEST_ALLOWLIST);
        }
        return startAsShipped(port, "127.0.0.1", contextPath, withLoopback, jndiEntries, customizer);
    }

    /**
     * The webapp with exactly the settings given, and the WAR's defaults for the rest.
     *
     * @param address the address the connector binds
     */
    public static EmbeddedGateway startAsShipped(int port, String address, String contextPath,
                                                 Map<String, String> contextParams, Map<String, String> jndiEntries,
                                                 Consumer<Context> customizer) {
        Tomcat tomcat = new Tomcat();
        try {
            tomcat.setBaseDir(Files.createTempDirectory("claude-proxy-tomcat").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tomcat.setPort(port);
        tomcat.getConnector().setProperty("address", address);
        tomcat.setAddDefaultWebXmlToWebapp(false);
        if (!jndiEntries.isEmpty()) {
            tomcat.enableNaming();
        }
        // The webapp's classes come from this class path; under `mvn exec:java` that is not the system class loader.
        tomcat.getServer().setParentClassLoader(EmbeddedGateway.class.getClassLoader());
        Context context = tomcat.addWebapp(contextPath, new File("src/main/webapp").getAbsolutePath());
        ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
        // The WAR build copies claude_proxy.sh from the project root into the webapp; do the same here.
        context.addLifecycleListener(event -> {
            if (event.getType().equals(org.apache.catalina.Lifecycle.CONFIGURE_START_EVENT)) {
                context.getResources().addPostResources(new FileResourceSet(context.getResources(),
                        "/claude_proxy.sh", new File("claude_proxy.sh").getAbsolutePath(), "/"));
            }
        });
        contextParams.forEach(context::addParameter);
        jndiEntries.forEach((name, value) -> {
            ContextEnvironment environment = new ContextEnvironment();
            environment.setName(name);
            environment.setType(String.class.getName());
            environment.setValue(value);
            context.getNamingResources().addEnvironment(environment);
        });
        customizer.accept(context);
        try {
            tomcat.start();
        } catch (LifecycleException e) {
            throw new IllegalStateException("embedded Tomcat did not start", e);
        }
        return new EmbeddedGateway(tomcat, contextPath);
    }

    /** Whether the webapp started (an invalid setting fails its start). */
    public boolean available() {
        return tomcat.getHost().findChildren()[0].getState().isAvailable();
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    /** {@code http://127.0.0.1:<port><contextPath>} */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + contextPath;
    }

    /** Blocks until the server is stopped (for the local run). */
    public void await() {
        tomcat.getServer().await();
    }

    @Override
    public void close() {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        } finally {
            deleteTree(tomcat.getServer().getCatalinaBase().toPath());
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
