package civitai.daemon.download.rules;

/**
 * Bytes per second over the last few seconds, from (time, total bytes) samples taken as data
 * arrives. Thread-safe.
 */
public final class SpeedMeter {
    private static final long WINDOW_NANOS = 5_000_000_000L;
    private static final int SLOTS = 64;

    private final long[] times = new long[SLOTS];
    private final long[] totals = new long[SLOTS];
    private int next;
    private int count;
    private long lastNanos;

    /**
     * Records that {@code totalBytes} had arrived by now; samples closer than ~80 ms are merged.
     */
    public synchronized void sample(long totalBytes) {
        long now = System.nanoTime();
        if (count > 0 && now - lastNanos < WINDOW_NANOS / SLOTS) {
            totals[(next + SLOTS - 1) % SLOTS] = totalBytes;
            return;
        }
        times[next] = now;
        totals[next] = totalBytes;
        next = (next + 1) % SLOTS;
        count = Math.min(count + 1, SLOTS);
        lastNanos = now;
    }

    public synchronized long bytesPerSecond() {
        if (count < 2) {
            return 0;
        }
        long now = System.nanoTime();
        int newest = (next + SLOTS - 1) % SLOTS;
        int oldest = newest;
        for (int i = 1; i < count; i++) {
            int idx = (newest - i + SLOTS) % SLOTS;
            if (now - times[idx] > WINDOW_NANOS) {
                break;
            }
            oldest = idx;
        }
        long elapsed = now - times[oldest];  // measured to now, so a stall decays the speed
        return elapsed <= 0 ? 0 : (long) ((totals[newest] - totals[oldest]) * 1e9 / elapsed);
    }
}
