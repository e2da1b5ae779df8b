package civitai.daemon.download;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code max_connections_per_host}: how many connections all downloads together hold to one host
 * (host and port). The first connection of a download always runs; the extra connections of a
 * segmented download are taken only while the host has room. Thread-safe.
 */
public final class HostSlots {
    private final int perHost;
    private final Map<String, Integer> held = new HashMap<>();  // guarded by this

    public HostSlots(int perHost) {
        this.perHost = perHost;
    }

    /** Takes a slot on {@code uri}'s host whether or not there is room (a download's first connection). */
    synchronized void take(URI uri) {
        held.merge(HttpFetch.authority(uri), 1, Integer::sum);
    }

    /** Takes a slot if the host has room. */
    synchronized boolean tryTake(URI uri) {
        String host = HttpFetch.authority(uri);
        int now = held.getOrDefault(host, 0);
        if (now >= perHost) {
            return false;
        }
        held.put(host, now + 1);
        return true;
    }

    synchronized void release(URI uri) {
        held.computeIfPresent(HttpFetch.authority(uri), (k, n) -> n <= 1 ? null : n - 1);
    }
}
