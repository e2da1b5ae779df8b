package civitai.daemon;

import civitai.daemon.config.Config;
import civitai.daemon.net.OutboundProxy;
import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one HttpClient for Civitai, downloads and notifications (through the outbound proxy, if
 * any), built when it is first needed or once the daemon is listening, whichever comes first.
 * Building it sets up TLS (the default trust store): about 170 ms of a cold start, more than
 * everything else between reading the config and answering {@code /healthz}. The daemon's parts
 * hold a delegate that waits for the real client on first use. Closing shuts down the client
 * and its executor (HttpClient never shuts down an executor it was given).
 */
final class Outbound implements AutoCloseable {
    private final Config config;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client = new Deferred();
    // guarded by this: null until a build starts; a failed one is replaced
    private CompletableFuture<HttpClient> built;

    Outbound(Config config) {
        this.config = config;
    }

    /** The client every part uses; its first request waits for the build. */
    HttpClient client() {
        return client;
    }

    /** Builds the client on a thread of its own now, unless a first use already started it. */
    void buildInBackground() {
        CompletableFuture<HttpClient> mine;
        synchronized (this) {
            if (built != null) {
                return;
            }
            built = mine = new CompletableFuture<>();
        }
        Thread.ofPlatform().name("http-client-setup").daemon(true).start(() -> build(mine));
    }

    /**
     * The real client: the build under way, or one started on this thread when there is none yet
     * or the last one failed (so a failure, e.g. out of memory, is tried again rather than kept).
     * A failure is thrown as a {@link CompletionException}.
     */
    private HttpClient real() {
        CompletableFuture<HttpClient> mine = null;
        CompletableFuture<HttpClient> pending;
        synchronized (this) {
            if (built == null || built.isCompletedExceptionally()) {
                built = mine = new CompletableFuture<>();
            }
            pending = built;
        }
        if (mine != null) {
            build(mine);
        }
        return pending.join();
    }

    private synchronized CompletableFuture<HttpClient> current() {
        return built;
    }

    private void build(CompletableFuture<HttpClient> into) {
        try {
            OutboundProxy proxy = new OutboundProxy(config.outboundProxy());
            HttpClient.Builder builder = HttpClient.newBuilder();
            if (proxy.active()) {
                // in case Main did not run (tests); no-op if too late
                OutboundProxy.allowBasicAuthForTunnels();
                builder.proxy(proxy).authenticator(proxy.authenticator());
            }
            into.complete(builder
                    // HttpFetch follows them, to control headers
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(Math.min(30,
                            Math.max(1, config.stallTimeout().toSeconds()))))
                    .executor(executor)
                    .build());
        } catch (RuntimeException | Error e) {
            into.completeExceptionally(e);
        }
    }

    /** A request's failure to get a client, as the I/O error its caller handles. */
    private static IOException unavailable(CompletionException e) {
        return new IOException("the HTTP client could not be set up: " + e.getCause(),
                e.getCause());
    }

    @Override
    public void close() {
        CompletableFuture<HttpClient> last = current();
        if (last != null) {
            last.thenAccept(HttpClient::shutdownNow);  // now if built, else once it is
        }
        executor.shutdownNow();
    }

    /** The client as its users see it: every call goes to the real one, built on first need. */
    private final class Deferred extends HttpClient {
        @Override
        public Optional<CookieHandler> cookieHandler() {
            return real().cookieHandler();
        }

        @Override
        public Optional<Duration> connectTimeout() {
            return real().connectTimeout();
        }

        @Override
        public Redirect followRedirects() {
            return real().followRedirects();
        }

        @Override
        public Optional<ProxySelector> proxy() {
            return real().proxy();
        }

        @Override
        public SSLContext sslContext() {
            return real().sslContext();
        }

        @Override
        public SSLParameters sslParameters() {
            return real().sslParameters();
        }

        @Override
        public Optional<Authenticator> authenticator() {
            return real().authenticator();
        }

        @Override
        public Version version() {
            return real().version();
        }

        @Override
        public Optional<Executor> executor() {
            return real().executor();
        }

        @Override
        public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            HttpClient c;
            try {
                c = real();
            } catch (CompletionException e) {
                throw unavailable(e);
            }
            return c.send(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler) {
            try {
                return real().sendAsync(request, handler);
            } catch (CompletionException e) {
                return CompletableFuture.failedFuture(unavailable(e));
            }
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            try {
                return real().sendAsync(request, handler, push);
            } catch (CompletionException e) {
                return CompletableFuture.failedFuture(unavailable(e));
            }
        }

        @Override
        public void shutdown() {
            CompletableFuture<HttpClient> last = current();
            if (last != null) {
                last.thenAccept(HttpClient::shutdown);
            }
        }

        @Override
        public void shutdownNow() {
            CompletableFuture<HttpClient> last = current();
            if (last != null) {
                last.thenAccept(HttpClient::shutdownNow);
            }
        }

        @Override
        public boolean awaitTermination(Duration duration) throws InterruptedException {
            CompletableFuture<HttpClient> last = current();
            return last == null || !last.isDone() || last.isCompletedExceptionally()
                    || last.join().awaitTermination(duration);
        }

        @Override
        public boolean isTerminated() {
            CompletableFuture<HttpClient> last = current();
            return last != null && last.isDone() && !last.isCompletedExceptionally()
                    && last.join().isTerminated();
        }
    }
}
