package civitai.daemon.download.fetch.host;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code max_connections_per_host}: how many connections all downloads together hold to one host
 * (host and port). Each download's first connection waits for a slot, and while one waits the
 * extra connections of segmented downloads give theirs up at their next piece; extra connections
 * are taken only while nobody waits and the host has room. Thread-safe.
 */
public final class HostSlots {
    private final int perHost;
    private final Map<String, Integer> held = new HashMap<>();     // guarded by this
    private final Map<String, Integer> waiting = new HashMap<>();  // guarded by this

    public HostSlots(int perHost) {
        this.perHost = perHost;
    }

    /**
     * Takes a slot for a download's first connection, waiting while the host is full; after
     * {@code patience} it takes one anyway (a download is never starved by another's extras).
     */
    public synchronized void takeFirst(URI uri, Duration patience) throws InterruptedException {
        String host = Authority.of(uri);
        long deadline = System.nanoTime() + patience.toNanos();
        waiting.merge(host, 1, Integer::sum);
        try {
            for (long left; held.getOrDefault(host, 0) >= perHost
                    && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
            }
        } finally {
            waiting.computeIfPresent(host, (k, n) -> n <= 1 ? null : n - 1);
        }
        held.merge(host, 1, Integer::sum);
    }

    /** Takes a slot for an extra connection if the host has room and no first connection waits. */
    public synchronized boolean tryTake(URI uri) {
        String host = Authority.of(uri);
        int now = held.getOrDefault(host, 0);
        if (now >= perHost || waiting.containsKey(host)) {
            return false;
        }
        held.put(host, now + 1);
        return true;
    }

    /** True when a first connection waits for a slot on this host: extras should give theirs up. */
    public synchronized boolean wanted(URI uri) {
        return waiting.containsKey(Authority.of(uri));
    }

    public synchronized void release(URI uri) {
        held.computeIfPresent(Authority.of(uri), (k, n) -> n <= 1 ? null : n - 1);
        notifyAll();
    }

    /** Slots held on {@code uri}'s host now. */
    public synchronized int held(URI uri) {
        return held.getOrDefault(Authority.of(uri), 0);
    }
}
