package civitai.chaos;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Asks {@code GET /healthz} every 200 ms on a fresh connection with a 2 s timeout, counting
 * answered and unanswered probes and the slowest answer, until closed.
 */
final class HealthProbe implements AutoCloseable {
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger missed = new AtomicInteger();
    final AtomicLong slowestMillis = new AtomicLong();
    /** The longest stretch without an answer, from the last answered probe to the next. */
    final AtomicLong longestGapMillis = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    HealthProbe(int port) {
        byte[] probe = ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        thread = Thread.ofPlatform().name("healthz-probe").daemon().start(() -> {
            long lastAnswer = System.nanoTime();
            while (running) {
                long t = System.nanoTime();
                int status = RawHttp.send(port, probe, 2000);
                long ms = (System.nanoTime() - t) / 1_000_000;
                if (status == 200) {
                    longestGapMillis.accumulateAndGet((System.nanoTime() - lastAnswer) / 1_000_000,
                            Math::max);
                    lastAnswer = System.nanoTime();
                    answered.incrementAndGet();
                    slowestMillis.accumulateAndGet(ms, Math::max);
                } else {
                    missed.incrementAndGet();
                }
                Nginx.sleep(Math.max(0, 200 - ms));
            }
        });
    }

    String figure() {
        int a = answered.get();
        int m = missed.get();
        return a + " of " + (a + m) + " (slowest " + slowestMillis.get() + " ms, longest gap "
                + longestGapMillis.get() + " ms)";
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
