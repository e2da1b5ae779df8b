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
    private final CompletableFuture<HttpClient> built = new CompletableFuture<>();
    private final HttpClient client = new Deferred();
    private boolean started;  // guarded by this

    Outbound(Config config) {
        this.config = config;
    }

    /** The client every part uses; its first request waits for the build. */
    HttpClient client() {
        return client;
    }

    /** Builds the client on a thread of its own now, unless a first use already did. */
    void buildInBackground() {
        if (claimBuild()) {
            Thread.ofPlatform().name("http-client-setup").daemon(true).start(this::build);
        }
    }

    private HttpClient real() {
        if (claimBuild()) {
            build();  // needed before the background build was asked for: build it here
        }
        return built.join();
    }

    private synchronized boolean claimBuild() {
        boolean first = !started;
        started = true;
        return first;
    }

    private void build() {
        try {
            OutboundProxy proxy = new OutboundProxy(config.outboundProxy());
            HttpClient.Builder builder = HttpClient.newBuilder();
            if (proxy.active()) {
                OutboundProxy.allowBasicAuthForTunnels();  // in case Main did not run (tests); no-op if too late
                builder.proxy(proxy).authenticator(proxy.authenticator());
            }
            built.complete(builder
                    .followRedirects(HttpClient.Redirect.NEVER)  // HttpFetch follows them, to control headers
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(Math.min(30, Math.max(1, config.stallTimeout().toSeconds()))))
                    .executor(executor)
                    .build());
        } catch (RuntimeException | Error e) {
            built.completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        built.thenAccept(HttpClient::shutdownNow);  // now if built, else once it is
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
            return real().send(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler) {
            return real().sendAsync(request, handler);
        }

        @Override
        public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
                HttpResponse.BodyHandler<T> handler, HttpResponse.PushPromiseHandler<T> push) {
            return real().sendAsync(request, handler, push);
        }

        @Override
        public void shutdown() {
            built.thenAccept(HttpClient::shutdown);
        }

        @Override
        public void shutdownNow() {
            built.thenAccept(HttpClient::shutdownNow);
        }

        @Override
        public boolean awaitTermination(Duration duration) throws InterruptedException {
            return !built.isDone() || built.isCompletedExceptionally() || built.join().awaitTermination(duration);
        }

        @Override
        public boolean isTerminated() {
            return built.isDone() && !built.isCompletedExceptionally() && built.join().isTerminated();
        }
    }
}
