package dev.claudeproxy.bench;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.pool.PoolConcurrencyPolicy;

/**
 * The load run's pass-through anchor (issue 14): the same container and the same upstream client
 * as the gateway (Apache HttpClient 5 classic, pooled as the gateway pools it), copying a request
 * to the upstream and its answer back with no conversion, no deadlines and no thread of its own,
 * flushing only when the upstream has nothing more buffered (issue 28's lean pass-through).
 * Its cost is what the stack costs before any of the gateway's own work; the gateway's cost above
 * it is ours. Deployed beside the gateway by {@code bench/load.sh} at {@code /anchor}:
 * {@code /anchor/http/<host:port>/<path>} POSTs the body to {@code http://<host:port>/<path>}.
 */
@WebServlet(urlPatterns = "/*")
public class PassThroughServlet extends HttpServlet {

    private final CloseableHttpClient client = HttpClients.custom()
            .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                    .setMaxConnTotal(100_000)
                    .setMaxConnPerRoute(100_000)
                    .setPoolConcurrencyPolicy(PoolConcurrencyPolicy.LAX)
                    .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                    .build())
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableContentCompression()
            .disableCookieManagement()
            .build();

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo(); // /http/127.0.0.1:18081/sse50/v1/chat/completions
        int host = path.indexOf('/', 1);
        HttpPost post = new HttpPost(path.substring(1, host) + "://" + path.substring(host + 1));
        post.setEntity(new ByteArrayEntity(request.getInputStream().readAllBytes(), ContentType.APPLICATION_JSON));
        client.execute(post, answer -> {
            response.setStatus(answer.getCode());
            HttpEntity entity = answer.getEntity();
            response.setContentType(entity.getContentType());
            byte[] buffer = new byte[8192];
            OutputStream out = response.getOutputStream();
            try (InputStream in = entity.getContent()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    if (in.available() == 0) {
                        // Lean: what arrived together leaves together, as the gateway flushes.
                        out.flush();
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void destroy() {
        client.close(org.apache.hc.core5.io.CloseMode.IMMEDIATE);
    }
}
