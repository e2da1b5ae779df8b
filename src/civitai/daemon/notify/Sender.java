package civitai.daemon.notify;

import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One try of one delivery: the target's own request (signed, for a webhook) with a timeout and
 * the daemon's User-Agent, and the answer, read up to 64 KiB, turned into an {@link Attempt}.
 * Knows nothing of retries or of the delivery log. Thread-safe.
 */
final class Sender {
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ANSWER = 64 * 1024;

    /**
     * One try's outcome: error null means delivered; {@code askedWait} is what the service asked
     * for.
     */
    record Attempt(Integer status, String error, Duration askedWait) {}

    private final HttpClient client;
    private final Clock clock;
    private final String userAgent;

    Sender(HttpClient client, Clock clock, String userAgent) {
        this.client = client;
        this.clock = clock;
        this.userAgent = userAgent;
    }

    /** Sends once; null when interrupted. */
    Attempt attempt(Target target, Delivery d) {
        try {
            HttpRequest request = target.request(d, Instant.now(clock))
                    .timeout(SEND_TIMEOUT)
                    .setHeader("User-Agent", userAgent)
                    .build();
            HttpResponse<InputStream> r = client.send(request,
                    HttpResponse.BodyHandlers.ofInputStream());
            String answer;
            try (var in = r.body()) {
                answer = new String(in.readNBytes(MAX_ANSWER), StandardCharsets.UTF_8);
            }
            int status = r.statusCode();
            if (status >= 200 && status < 300) {
                return new Attempt(status, null, null);
            }
            return new Attempt(status, "HTTP " + status + describe(answer),
                    target.retryAfter(status, r.headers(), answer));
        } catch (IOException e) {
            return new Attempt(null, NetworkFailure.describe(e), null);
        } catch (IllegalArgumentException e) {
            return new Attempt(null, "bad request to the target: " + e.getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The service's own words for a refusal (Telegram's description), kept short. */
    private static String describe(String answer) {
        String text = answer.strip().replaceAll("\\s+", " ");
        return text.isEmpty() ? "" : ": "
                + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
}
