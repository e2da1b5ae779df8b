package civitai.daemon.civitai;

import civitai.daemon.download.HostGate;
import java.net.URI;
import java.time.Duration;

/**
 * The download engine's view of the {@link CivitaiGate}: requests to the Civitai host wait while
 * it is closed, and a 429 from that host closes it for everyone; storage hosts pass freely.
 * Thread-safe.
 */
public record GatedHosts(CivitaiGate gate) implements HostGate {
    @Override
    public void awaitOpen(URI uri) throws InterruptedException {
        if (gate.covers(uri)) {
            gate.await();
        }
    }

    @Override
    public void closeFor(URI uri, Duration wait) {
        if (gate.covers(uri)) {
            gate.close(wait);
        }
    }
}
