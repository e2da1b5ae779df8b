package civitai.daemon.download.retry;

import civitai.daemon.download.fetch.RetryAfter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How often and how long to wait: {@code retries} attempts after the first, exponential backoff
 * from {@code base} with jitter, capped at {@code max}; a server's Retry-After wins. Thread-safe.
 */
public final class RetryPolicy {
    private final int retries;
    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;
    private final Clock clock;

    public RetryPolicy(int retries, Duration base, Duration max, RandomGenerator random,
            Clock clock) {
        this.retries = retries;
        this.base = base;
        this.max = max;
        this.random = random;
        this.clock = clock;
    }

    /** True when a job that has made {@code attempts} attempts may make another. */
    public boolean mayRetry(int attempts) {
        return attempts <= retries;
    }

    /**
     * The wait before the next attempt after {@code attempts} failed ones: half to all of
     * base × 2^(attempts-1), at most max ("equal jitter", so waits never collapse to zero).
     */
    public Duration backoff(int attempts) {
        int exponent = Math.max(0, Math.min(attempts - 1, 30));
        double full = Math.min(max.toNanos(), base.toNanos() * Math.pow(2, exponent));
        return Duration.ofNanos((long) (full / 2 + random.nextDouble() * full / 2));
    }

    /** The longest wait, used when a quota answer gives no Retry-After. */
    public Duration max() {
        return max;
    }

    public Optional<Duration> parseRetryAfter(String value) {
        return waitFor(RetryAfter.parse(value).orElse(null));
    }

    /** The wait a Retry-After asks for from now; empty for none. */
    public Optional<Duration> waitFor(RetryAfter retryAfter) {
        return retryAfter == null ? Optional.empty()
                : Optional.of(retryAfter.from(Instant.now(clock)));
    }
}
