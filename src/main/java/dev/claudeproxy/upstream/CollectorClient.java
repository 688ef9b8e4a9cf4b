package dev.claudeproxy.upstream;

import dev.claudeproxy.config.Secret;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts telemetry to the collector an operator named, with Apache HttpClient 5 as the upstream
 * calls are: a few pooled connections, no redirects, each post bounded by {@link #TIMEOUT} to
 * connect and again to answer. Only the operator's headers go with it, never a client's key.
 * Built once per webapp, closed at shutdown; thread-safe.
 */
public final class CollectorClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CollectorClient.class.getName());
    /** How long a collector may take to accept a connection, and then to answer a post. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CloseableHttpClient client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnTotal(4).setMaxConnPerRoute(4)
                    .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.of(TIMEOUT))
                            .setSocketTimeout(Timeout.of(TIMEOUT)).build())
                    .build())
            .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(TIMEOUT)).build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .setUserAgent("claude-proxy")
            .build();

    /** @return the collector's status; its body is read and dropped */
    public int post(URI url, String contentType, byte[] body, Map<String, Secret> headers) throws IOException {
        HttpPost post = new HttpPost(url);
        post.setEntity(new ByteArrayEntity(body, ContentType.parse(contentType)));
        headers.forEach((name, value) -> post.setHeader(name, value.reveal()));
        return client.execute(post, answer -> {
            EntityUtils.consume(answer.getEntity());
            return answer.getCode();
        });
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the collector client failed; its connections close with the JVM", e);
        }
    }
}
