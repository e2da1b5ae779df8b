package civitai.daemon.civitai;

import civitai.daemon.download.fetch.HostGate;
import java.net.URI;
import java.time.Duration;

/**
 * The download engine's view of the {@link CivitaiGate}: requests to the Civitai host wait while
 * it is closed, and a 429 from that host closes it for everyone (metadata calls and update checks
 * too) for its Retry-After, or for {@code quotaPause} when it names none (Civitai's download
 * quota: asking again in seconds only spends it); storage hosts pass freely. Thread-safe.
 *
 * @param quotaPause how long a 429 without Retry-After holds the Civitai host
 */
public record GatedHosts(CivitaiGate gate, Duration quotaPause) implements HostGate {
    @Override
    public void awaitOpen(URI uri) throws InterruptedException {
        if (gate.covers(uri)) {
            gate.await();
        }
    }

    @Override
    public Duration rateLimited(URI uri, Duration retryAfter) {
        if (!gate.covers(uri)) {
            return retryAfter;
        }
        Duration wait = retryAfter != null ? retryAfter : quotaPause;
        gate.close(wait);
        return wait;
    }
}
