package civitai.daemon.download.retry;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Checks every running attempt's stall and total limits on a fixed tick. Thread-safe. */
public final class Watchdog {
    private final Set<AttemptGuard> guards = ConcurrentHashMap.newKeySet();

    /** Checks on {@code scheduler}, often enough for the shorter of the two limits. */
    public Watchdog(ScheduledExecutorService scheduler, Duration stall, Duration timeout) {
        long tick = Math.max(5, Math.min(1000, Math.min(stall.toMillis(), timeout.toMillis()) / 4));
        scheduler.scheduleWithFixedDelay(this::checkAll, tick, tick, TimeUnit.MILLISECONDS);
    }

    public AttemptGuard watch(Thread thread, Duration stall, Duration timeout) {
        AttemptGuard guard = new AttemptGuard(thread, stall, timeout);
        guards.add(guard);
        return guard;
    }

    public void release(AttemptGuard guard) {
        guards.remove(guard);
        guard.finish();
    }

    private void checkAll() {
        long now = System.nanoTime();
        for (AttemptGuard g : guards) {
            g.check(now);  // cannot throw: a thrown exception would cancel this periodic task
        }
    }
}
