package civitai.daemon.huggingface;

import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.download.fetch.RetryAfter;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The one way this package sends a request to the Hub: to the configured endpoint, with the token
 * as {@code Authorization: Bearer} on the endpoint's own scheme, host and port only, never to a CDN
 * or any other host a redirect names. Requests to the endpoint pass the Hub's one {@link RateGate},
 * which the engine's downloads from it share: while it is closed nothing is sent and the caller is
 * told when to ask again ({@link Held}: this package never waits, a person is answered at once
 * and the update check leaves the rest for its next run), and a 429 closes it for everyone, for
 * its Retry-After or its {@code RateLimit} header's {@code t=}. Redirects are not followed here:
 * each caller decides which hops are the Hub's answer. Thread-safe.
 */
final class HubRequests {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The Hub's gate is closed: nothing was sent; ask again after {@code pause}. */
    static final class Held extends Exception {
        private static final long serialVersionUID = 1L;
        private final Duration pause;

        Held(Duration pause) {
            super("the Hub is rate limiting; ask again in " + pause.toSeconds() + " s", null, false,
                    false);
            this.pause = pause;
        }

        Duration pause() {
            return pause;
        }
    }

    private final HttpClient http;
    private final URI endpoint;
    private final String token;
    private final RateGate gate;

    /**
     * {@code token} may be null or blank: public repos need none. {@code gate} covers the endpoint.
     */
    HubRequests(HttpClient http, URI endpoint, String token, RateGate gate) {
        this.http = http;
        this.endpoint = endpoint;
        this.token = token == null || token.isBlank() ? null : token;
        this.gate = gate;
    }

    URI endpoint() {
        return endpoint;
    }

    /** True for a URL on the endpoint's scheme, host and port: the one the token may reach. */
    boolean onEndpoint(URI at) {
        return sameAuthority(at, endpoint);
    }

    /**
     * {@code method} (HEAD or GET) to {@code at}, the token only when {@code at} is the endpoint's.
     * A request to the endpoint is {@link Held} while the gate is closed, and its 429 closes it.
     */
    <T> HttpResponse<T> send(String method, URI at, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException, Held {
        boolean hub = onEndpoint(at);
        Duration closed = hub ? gate.askAgainIn() : Duration.ZERO;
        if (!closed.isZero()) {
            throw new Held(closed);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(at)
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT);
        if (token != null && hub) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<T> r = http.send(b.build(), body);
        if (hub && r.statusCode() == 429) {
            if (r.body() instanceof Closeable unread) {
                unread.close();
            }
            gate.close(RetryAfter.of(429, r.headers()).orElse(null), HubResolver.QUOTA_PAUSE);
            throw new Held(gate.askAgainIn());
        }
        return r;
    }

    static boolean sameAuthority(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getRawAuthority() != null
                && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
    }
}
