package civitai.daemon.library;

import civitai.daemon.events.Event;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A scan's hashing progress, counted by its hashing threads, published at most twice a second
 * (and once at the end). Thread-safe.
 */
final class Progress {
    private static final long EVERY_MILLIS = 500;

    private final Consumer<Event> events;
    private final Clock clock;
    private final long startMillis;
    private final AtomicLong filesDone = new AtomicLong();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong lastPublished = new AtomicLong();
    private final LongAdder hashedEver;
    private volatile long filesTotal;
    private volatile long bytesTotal;

    /**
     * @param hashedEver the daemon's count of bytes hashed by every scan, this one's added to it
     */
    Progress(Consumer<Event> events, Clock clock, LongAdder hashedEver) {
        this.events = events;
        this.hashedEver = hashedEver;
        this.clock = clock;
        this.startMillis = clock.millis();
    }

    void plan(long files, long bytes) {
        filesTotal = files;
        bytesTotal = bytes;
        publish();
    }

    void bytes(long n) {
        bytesDone.addAndGet(n);
        hashedEver.add(n);
        long now = clock.millis();
        long last = lastPublished.get();
        if (now - last >= EVERY_MILLIS && lastPublished.compareAndSet(last, now)) {
            publish();
        }
    }

    void fileDone() {
        filesDone.incrementAndGet();
    }

    long filesDone() {
        return filesDone.get();
    }

    Event.ScanProgress now() {
        long elapsed = Math.max(1, clock.millis() - startMillis);
        long done = bytesDone.get();
        long rate = done * 1000 / elapsed;
        Long eta = rate > 0 ? Math.max(0, bytesTotal - done) / rate : null;
        return new Event.ScanProgress(filesDone.get(), filesTotal, done, bytesTotal, rate, eta);
    }

    void publish() {
        events.accept(now());
    }
}
