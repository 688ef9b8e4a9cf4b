package dev.claudeproxy.upstream;

import dev.claudeproxy.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

/**
 * Calls upstream Chat Completions endpoints through Apache HttpClient 5's classic client, with
 * pooled keep-alive connections and no cap per upstream. Chosen by measurement
 * ({@code bench/clients.sh}): per streamed answer it cost a third of the CPU of Jetty's HttpClient
 * 12 or HttpClient 5's async client, and a sixth of the JDK's, over HTTP/1.1 and TLS alike. It
 * speaks HTTP/1.1 only: an open stream holds a connection of its own (about 70 KiB of heap over
 * TLS, against about 20 KiB as an HTTP/2 stream).
 *
 * <p>Two clients share the configuration: one for the upstreams request paths name, whose every
 * connection goes only to addresses the {@link AddressPolicy} allows (resolved anew for each
 * connection, so rebinding a name does not get past it), and one for the routes an operator
 * configured. Redirects are never followed (they would carry the prompt and key elsewhere), and
 * bodies are never decompressed.
 *
 * <p>Built once per webapp and closed at shutdown; thread-safe.
 */
public final class UpstreamClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class.getName());
    private static final String USER_AGENT = "claude-proxy";
    /**
     * Each connection's input and output buffers (HttpClient's default is 8 KiB each). An open
     * stream holds its connection, and so both buffers, for as long as it lasts: at 10,000 open
     * streams the default cost 160 MiB of heap. Answers arrive in SSE events far smaller than
     * this, and a request body larger than it is written in several writes.
     */
    static final int CONNECTION_BUFFER_BYTES = 4096;

    private final CloseableHttpClient checked;
    private final CloseableHttpClient trusted;
    private final CallClock clock;

    /**
     * @param clock keeps the calls' deadlines and their streams' keep-alive
     */
    public UpstreamClient(Duration connectTimeout, AddressPolicy policy, CallClock clock) {
        this.checked = build(connectTimeout, new CheckedResolver(policy));
        this.trusted = build(connectTimeout, SystemDefaultDnsResolver.INSTANCE);
        this.clock = clock;
    }

    private static CloseableHttpClient build(Duration connectTimeout, DnsResolver resolver) {
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setConnectionFactory(ManagedHttpClientConnectionFactory.builder()
                                .http1Config(Http1Config.custom().setBufferSize(CONNECTION_BUFFER_BYTES).build())
                                .build())
                        .setDnsResolver(resolver)
                        .setMaxConnTotal(100_000)
                        .setMaxConnPerRoute(100_000)
                        .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.of(connectTimeout))
                                .setTimeToLive(TimeValue.ofMinutes(5))
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .build())
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .evictIdleConnections(TimeValue.ofMinutes(1))
                .setUserAgent(USER_AGENT)
                .build();
    }

    /**
     * A call, not sent yet: {@link UpstreamCall#awaitHead} sends it.
     *
     * @param key sent, when present, as {@code Authorization: Bearer <key>}, or as the bare value of
     *     another {@code keyHeader} (Azure's {@code api-key})
     * @param checkAddresses whether the upstream came from a request path, so that every address
     *     connected to must pass the {@link AddressPolicy}
     * @param maxBodyBytes past this, the answer's body ends in an {@link AnswerTooLargeException}
     * @param safetyNet the longest a read may wait on the socket: the clock ends a call at its
     *     deadlines well before, so this is only a net under it
     */
    public UpstreamCall prepare(URI uri, Optional<Secret> key, String keyHeader, byte[] json, boolean stream,
                                boolean checkAddresses, long maxBodyBytes, Duration safetyNet) {
        HttpPost post = new HttpPost(uri);
        post.setHeader("Accept", stream ? "text/event-stream" : "application/json");
        post.setEntity(new ByteArrayEntity(json, ContentType.APPLICATION_JSON));
        key.ifPresent(secret -> post.setHeader(keyHeader,
                keyHeader.equals("Authorization") ? "Bearer " + secret.reveal() : secret.reveal()));
        return new UpstreamCall(checkAddresses ? checked : trusted, post, clock, maxBodyBytes, safetyNet);
    }

    @Override
    public void close() {
        for (CloseableHttpClient client : new CloseableHttpClient[] {checked, trusted}) {
            try {
                client.close();
            } catch (IOException e) {
                LOG.log(Level.FINE, "closing an upstream client failed; its connections close with the JVM", e);
            }
        }
    }
}
