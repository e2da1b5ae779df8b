package civitai.daemon.download;

import java.net.URI;
import java.time.Duration;

/**
 * A limiter for the hosts someone outside the engine cares about (the Civitai host, whose 429
 * must hold back every caller): the engine waits on it before each request and tells it about a
 * 429 it received. Hosts the gate does not cover are never held. Implementations are thread-safe.
 */
public interface HostGate {
    /** A gate that covers no host. */
    HostGate OPEN = new HostGate() {
        @Override
        public void awaitOpen(URI uri) {}

        @Override
        public void closeFor(URI uri, Duration wait) {}
    };

    /** Blocks while requests to {@code uri}'s host must wait; returns at once for other hosts. */
    void awaitOpen(URI uri) throws InterruptedException;

    /** {@code uri}'s host answered 429: hold its requests for {@code wait} (no-op for other hosts). */
    void closeFor(URI uri, Duration wait);
}
