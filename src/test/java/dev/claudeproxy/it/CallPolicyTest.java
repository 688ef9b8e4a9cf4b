package dev.claudeproxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claudeproxy.convert.Attribution;
import dev.claudeproxy.anthropic.MessagesRequest;
import dev.claudeproxy.anthropic.MessagesRequestReader;
import dev.claudeproxy.call.Answered;
import dev.claudeproxy.call.CallPolicy;
import dev.claudeproxy.call.Cancellation;
import dev.claudeproxy.call.CancelledException;
import dev.claudeproxy.call.Deadlines;
import dev.claudeproxy.upstream.CallClock;
import dev.claudeproxy.upstream.Heartbeat;
import dev.claudeproxy.config.Lookup;
import dev.claudeproxy.config.Settings;
import dev.claudeproxy.provider.ThinkingSigner;
import dev.claudeproxy.error.ProxyException;
import dev.claudeproxy.route.PathParser;
import dev.claudeproxy.route.PathRoute;
import dev.claudeproxy.route.Routes;
import dev.claudeproxy.route.RouteCooldowns;
import dev.claudeproxy.upstream.UpstreamAnswer;
import dev.claudeproxy.upstream.UpstreamClient;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream call policy alone, with a real upstream client and real stand-in upstreams, no
 * servlet: cancellation stops the call in whatever phase it is (issue 12, point 4), and a
 * connection that cannot be made in time is retried and falls back like any unreachable upstream,
 * named by its first meaningful cause (issue 12, point 3).
 */
class CallPolicyTest {

    private static final MessagesRequest REQUEST = MessagesRequestReader.read(("{\"model\":\"claude-sonnet-4-5\","
            + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));

    private final CallClock clock = new CallClock(Thread::new, Runnable::run);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        clock.close();
    }

    private CallPolicy policy(Settings settings) {
        UpstreamClient client = new UpstreamClient(settings.timeouts().connect(), (host, port, address) -> Optional.empty(),
                clock);
        open.add(client);
        return new CallPolicy(settings, client, new RouteCooldowns(Duration.ofSeconds(30), System::nanoTime),
                new ThinkingSigner("call-policy-test-secret".getBytes(StandardCharsets.UTF_8)), () -> 0.5);
    }

    private static Settings settings(Map<String, String> values) {
        return Settings.load(Lookup.of(values::get));
    }

    private static CallPolicy.Request request(Settings settings, String route, Cancellation cancellation) {
        Optional<PathRoute> named = PathParser.parse(route + "/v1/messages").route();
        return new CallPolicy.Request(REQUEST, Routes.resolve(named, REQUEST.model(), settings, Optional.empty()), named,
                Optional.empty(), false, Deadlines.startingNow(settings.timeouts()), cancellation, "req_test", tried -> { },
                Heartbeat.NONE, Attribution.NONE, any -> true);
    }

    /** Cancels {@code cancellation} once {@code ready} is counted down, from another thread, as a container would. */
    private static void cancelWhen(CountDownLatch ready, Cancellation cancellation) {
        Thread canceller = new Thread(() -> {
            try {
                if (ready.await(10, TimeUnit.SECONDS)) {
                    Thread.sleep(200);
                    cancellation.cancel();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        canceller.start();
    }

    @Test
    void cancellingWhileTheUpstreamThinksStopsTheCallAtOnce() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        TestUpstream thinking = new TestUpstream(answer -> {
            arrived.countDown();
            answer.pause(Duration.ofSeconds(20));
            answer.head(200, "application/json").write("{}");
        });
        open.add(thinking);
        Settings settings = settings(Map.of());
        Cancellation cancellation = new Cancellation();
        cancelWhen(arrived, cancellation);
        long start = System.nanoTime();
        assertThrows(CancelledException.class, () -> policy(settings).call(request(settings, thinking.route("m"), cancellation)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(15), "stopped, not waited out");
    }

    @Test
    void cancellingWhileTheBodyStreamsDropsTheUpstreamConnection() throws Exception {
        TestUpstream streaming = new TestUpstream(answer -> {
            answer.head(200, "text/event-stream");
            for (int i = 0; i < 200; i++) {
                answer.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tick\"}}]}\n\n");
                answer.pause(Duration.ofMillis(50));
            }
        });
        open.add(streaming);
        Settings settings = settings(Map.of());
        Cancellation cancellation = new Cancellation();
        Answered answered = policy(settings).call(request(settings, streaming.route("m"), cancellation));
        UpstreamAnswer answer = answered.answer();
        assertTrue(answer.next(System.nanoTime() + TimeUnit.SECONDS.toNanos(5)) instanceof UpstreamAnswer.Data);
        cancellation.watch(answer::close);
        cancellation.cancel();
        assertTrue(streaming.awaitDropped(), "the upstream saw its connection dropped");
    }

    @Test
    void aCancelledExchangeNeverStartsItsNextRetry() throws Exception {
        TestUpstream busy = new TestUpstream(answer -> answer.head(503, "application/json").write("{\"error\":{\"message\":\"busy\"}}"));
        open.add(busy);
        Settings settings = settings(Map.of("UPSTREAM_RETRIES", "5", "UPSTREAM_RETRY_MAX_WAIT_SECONDS", "30"));
        Cancellation cancellation = new Cancellation();
        CountDownLatch firstTried = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            while (busy.requests() == 0) {
                Thread.onSpinWait();
            }
            firstTried.countDown();
        });
        watcher.start();
        cancelWhen(firstTried, cancellation);
        assertThrows(CancelledException.class, () -> policy(settings).call(request(settings, busy.route("m"), cancellation)));
        assertTrue(busy.requests() <= 2, "no retry after the cancellation: " + busy.requests());
    }

    /** A listening socket whose accept queue is full: connecting to it hangs until the connect timeout. */
    private ServerSocket blackHole() throws Exception {
        ServerSocket hole = new ServerSocket();
        hole.bind(new InetSocketAddress("127.0.0.1", 0), 1);
        open.add(hole);
        for (int i = 0; i < 8; i++) {
            Socket filler = new Socket();
            try {
                filler.connect(hole.getLocalSocketAddress(), 200);
                open.add(filler);
            } catch (java.io.IOException full) {
                filler.close();
                break;
            }
        }
        return hole;
    }

    @Test
    void aConnectTimeoutIsRetriedThenFallsBackNamingItsCause() throws Exception {
        ServerSocket hole = blackHole();
        TestUpstream fallback = new TestUpstream(answer -> answer.head(200, "application/json").write(
                "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}"));
        open.add(fallback);
        Settings settings = settings(Map.of("UPSTREAM_CONNECT_TIMEOUT_SECONDS", "1", "UPSTREAM_RETRIES", "1",
                "SONNET_BASE_URL", "http://127.0.0.1:" + hole.getLocalPort() + "/v1", "SONNET_MODEL_NAME", "s",
                "DEFAULT_BASE_URL", "http://127.0.0.1:" + fallback.route("m").split("/")[2].split(":")[1] + "/v1",
                "DEFAULT_MODEL_NAME", "d", "SONNET_FALLBACK", "default"));
        CallPolicy.Request request = new CallPolicy.Request(REQUEST, Routes.resolve(Optional.empty(), REQUEST.model(),
                settings, Optional.empty()), Optional.empty(), Optional.empty(), false, Deadlines.startingNow(settings.timeouts()),
                new Cancellation(), "req_test", route -> { }, Heartbeat.NONE, Attribution.NONE, any -> true);
        Answered answered = policy(settings).call(request);
        assertEquals(200, answered.answer().status());
        assertEquals("d", answered.route().model(), "the fallback route answered");
        answered.answer().close();

        Settings alone = settings(Map.of("UPSTREAM_CONNECT_TIMEOUT_SECONDS", "1", "UPSTREAM_RETRIES", "0"));
        ProxyException failure = assertThrows(ProxyException.class, () -> policy(alone).call(
                request(alone, "/http/127.0.0.1:" + hole.getLocalPort() + "/v1/m", new Cancellation())));
        assertEquals(502, failure.status());
        assertTrue(failure.getMessage().contains("connecting timed out"), failure.getMessage());
    }

    @Test
    void aRefusedConnectionIsNamedAsSuch() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Settings settings = settings(Map.of("UPSTREAM_RETRIES", "0"));
        ProxyException failure = assertThrows(ProxyException.class, () -> policy(settings).call(
                request(settings, "/http/127.0.0.1:" + closed + "/v1/m", new Cancellation())));
        assertTrue(failure.getMessage().contains("connection refused"), failure.getMessage());
    }
}
