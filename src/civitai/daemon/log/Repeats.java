package civitai.daemon.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which lines may be logged now: the same line again only after {@code everyNanos}, so a condition
 * that persists (a full disk) is one line a minute, not one per attempt. Keeps the 64 newest
 * lines. Thread-safe.
 */
final class Repeats {
    private static final int KEPT = 64;

    private final long everyNanos;
    private final Map<String, Long> lastNanos = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > KEPT;
        }
    };

    Repeats(long everyNanos) {
        this.everyNanos = everyNanos;
    }

    synchronized boolean allow(String line) {
        long now = System.nanoTime();
        Long last = lastNanos.get(line);
        if (last != null && now - last < everyNanos) {
            return false;
        }
        lastNanos.put(line, now);
        return true;
    }
}
