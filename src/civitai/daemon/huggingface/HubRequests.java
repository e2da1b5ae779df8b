package civitai.daemon.huggingface;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The one way this package sends a request to the Hub: to the configured endpoint, with the token
 * as {@code Authorization: Bearer} on the endpoint's own scheme, host and port only, never to a CDN
 * or any other host a redirect names. Redirects are not followed here: each caller decides which
 * hops are the Hub's answer. Thread-safe.
 */
final class HubRequests {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI endpoint;
    private final String token;

    /** {@code token} may be null or blank: public repos need none. */
    HubRequests(HttpClient http, URI endpoint, String token) {
        this.http = http;
        this.endpoint = endpoint;
        this.token = token == null || token.isBlank() ? null : token;
    }

    URI endpoint() {
        return endpoint;
    }

    /** True for a URL on the endpoint's scheme, host and port: the one the token may reach. */
    boolean onEndpoint(URI at) {
        return sameAuthority(at, endpoint);
    }

    /** {@code method} (HEAD or GET) to {@code at}, the token only when {@code at} is the endpoint's. */
    <T> HttpResponse<T> send(String method, URI at, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(at).method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(TIMEOUT);
        if (token != null && onEndpoint(at)) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), body);
    }

    static boolean sameAuthority(URI a, URI b) {
        return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getRawAuthority() != null && a.getRawAuthority().equalsIgnoreCase(b.getRawAuthority());
    }
}
