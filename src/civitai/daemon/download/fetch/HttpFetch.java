package civitai.daemon.download.fetch;

import civitai.daemon.download.fetch.host.Credentials;
import civitai.daemon.download.fetch.host.HostCredentials;
import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.download.part.BufferBudget;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * GET with redirects followed here rather than by HttpClient, so this class alone decides the
 * headers of each hop: a host's credential ({@link HostCredentials}) goes to that host only,
 * never to a storage host it redirects to (which rejects it, and must not see it). Thread-safe.
 */
public final class HttpFetch {
    private static final int MAX_REDIRECTS = 10;

    private final HttpClient client;
    private final HostCredentials hostCredentials;
    private final String userAgent;
    private final HostGate gate;
    private final BufferBudget buffers;

    /** The final answer and the URL that gave it. The caller closes the body. */
    public record Response(HttpResponse<BodyStream> response, URI uri) {}

    public HttpFetch(HttpClient client, HostCredentials hostCredentials, String userAgent,
            HostGate gate, BufferBudget buffers) {
        this.gate = gate;
        this.buffers = buffers;
        this.client = client;
        this.hostCredentials = hostCredentials;
        this.userAgent = userAgent;
    }

    /**
     * GETs {@code start}, following redirects. {@code onRedirect} hears each redirect target before
     * it is requested, so a signed URL is known even when the request to it then fails.
     * {@code credentials} go to their own origin only, at any hop. {@code held} is told while a
     * hop waits on its host's closed gate.
     */
    public Response get(URI start, Credentials credentials, Map<String, String> headers,
            Duration headerTimeout, Consumer<URI> onRedirect, HostGate.Held held)
            throws IOException, InterruptedException {
        URI uri = Credentials.strip(start);
        for (int hop = 0; ; hop++) {
            // identity: a size, a resume offset and the hash are all of the file's own bytes
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(headerTimeout)
                    .header("User-Agent", userAgent).header("Accept-Encoding", "identity");
            headers.forEach(request::header);
            String basic = credentials.headerFor(uri);
            if (basic != null) {
                request.header("Authorization", basic);
            }
            HostCredentials.Header own = hostCredentials.headerFor(uri);
            if (own != null) {
                request.header(own.name(), own.value());
            }
            awaitGate(uri, held);
            HttpResponse<BodyStream> response =
                    client.send(request.build(), BodyStream.handler(buffers));
            if (!(AnswerClassifier.classify(AnswerClassifier.Asked.whole(), response.statusCode(),
                    response.headers(), null) instanceof Answer.Redirect redirect)) {
                return new Response(response, uri);
            }
            response.body().close();
            if (hop == MAX_REDIRECTS) {
                throw new IOException("more than " + MAX_REDIRECTS + " redirects from "
                        + start.getHost());
            }
            uri = resolve(uri, redirect.location());
            onRedirect.accept(uri);
        }
    }

    /** A gated host said 429 recently: nobody asks it until that is over. */
    private void awaitGate(URI uri, HostGate.Held held) throws InterruptedException {
        if (!gate.holds(uri)) {
            gate.awaitOpen(uri);  // open, or closed just now: then this waits unheld
            return;
        }
        held.held(true);
        try {
            gate.awaitOpen(uri);
        } finally {
            held.held(false);
        }
    }

    private static URI resolve(URI base, String location) throws IOException {
        try {
            URI next = base.resolve(URI.create(location.strip()));
            String scheme = next.getScheme() == null ? ""
                    : next.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IOException("redirect to a non-HTTP URL: " + scheme);
            }
            return next;
        } catch (IllegalArgumentException e) {
            throw new IOException("redirect to an invalid URL", e);
        }
    }
}
