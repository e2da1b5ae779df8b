package civitai.daemon.download.retry;

import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.download.rules.Outcome;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits of one attempt, watched by {@link Watchdog}: no byte for {@code stall} or a total of
 * more than {@code timeout} aborts it by interrupting its thread, after recording why so the
 * attempt can tell an abort from a shutdown. Thread-safe.
 */
public final class AttemptGuard implements HostGate.Held {
    /**
     * Why the watchdog stopped an attempt.
     *
     * @param code   short and stable ({@code stalled}, {@code timeout}), for the database
     * @param reason for people
     */
    public record Abort(String code, String reason) {
        /** What the attempt's record says: the code, then the reason. */
        String message() {
            return code + ": " + reason;
        }

        /** The attempt ends with a retry for this reason. */
        public Outcome.Retry retry(long bytes) {
            return new Outcome.Retry(code, message(), null, null, bytes);
        }
    }

    private final Thread thread;
    private final long stallNanos;
    private final long deadlineNanos;
    private final Duration stall;
    private final Duration timeout;
    private volatile long lastActivityNanos = System.nanoTime();
    private final AtomicInteger heldRequests = new AtomicInteger();  // waiting on a host's gate
    private Abort abort;
    private boolean finished;

    public AttemptGuard(Thread thread, Duration stall, Duration timeout) {
        this.thread = thread;
        this.stall = stall;
        this.timeout = timeout;
        this.stallNanos = stall.toNanos();
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** Called by the attempt whenever data arrives. */
    public void onActivity() {
        lastActivityNanos = System.nanoTime();
    }

    /**
     * A request of this attempt waits on its host's closed gate (a 429 held for every caller): no
     * stall is counted until the wait is over, and the stall clock starts again from its end.
     */
    @Override
    public void held(boolean waiting) {
        if (waiting) {
            heldRequests.incrementAndGet();
        } else {
            lastActivityNanos = System.nanoTime();
            heldRequests.decrementAndGet();
        }
    }

    /** Time left before the attempt's deadline (at least one millisecond). */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }

    /** Called by the watchdog. */
    public void check(long now) {
        if (now - deadlineNanos >= 0) {
            abort("timeout", "attempt took longer than timeout (" + seconds(timeout) + " s)");
        } else if (heldRequests.get() == 0 && now - lastActivityNanos >= stallNanos) {
            abort("stalled", "no data for stall_timeout (" + seconds(stall) + " s)");
        }
    }

    private synchronized void abort(String code, String reason) {
        if (!finished && abort == null) {
            abort = new Abort(code, reason);
            thread.interrupt();
        }
    }

    /** Why the watchdog stopped this attempt, or null if it did not. */
    public synchronized Abort abort() {
        return abort;
    }

    /** Ends the watch; clears an interrupt the watchdog made so it cannot leak into later work. */
    public synchronized void finish() {
        finished = true;
        if (abort != null) {
            Thread.interrupted();
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds())
                : Double.toString(d.toMillis() / 1000.0);
    }
}
