package civitai.daemon.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the only way tests wait. */
public final class Poll {
    public static final Duration DEFAULT = Duration.ofSeconds(30);

    private Poll() {}

    public static void until(BooleanSupplier condition, Supplier<String> whatWeWaitedFor) {
        until(DEFAULT, condition, whatWeWaitedFor);
    }

    public static void until(Duration timeout, BooleanSupplier condition,
            Supplier<String> whatWeWaitedFor) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toSeconds()
                        + " s waiting for " + whatWeWaitedFor.get());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + whatWeWaitedFor.get());
            }
        }
    }
}
