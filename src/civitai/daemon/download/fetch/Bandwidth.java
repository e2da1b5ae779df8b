package civitai.daemon.download.fetch;

import java.util.concurrent.TimeUnit;

/**
 * The {@code max_download_speed} cap shared by all workers: each chunk reserves its share of time
 * on one clock and sleeps until then. Allows a burst of at most about a quarter second.
 * Thread-safe.
 */
public final class Bandwidth {
    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final long bytesPerSecond;
    private long nextFreeNanos = System.nanoTime();

    /** @param bytesPerSecond 0 for unlimited */
    public Bandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Blocks until {@code bytes} more may be taken. */
    public void acquire(int bytes) throws InterruptedException {
        if (bytesPerSecond <= 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            nextFreeNanos = Math.max(nextFreeNanos, now - BURST_NANOS)
                    + (long) (bytes * 1e9 / bytesPerSecond);
            wait = nextFreeNanos - now - BURST_NANOS;
        }
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
