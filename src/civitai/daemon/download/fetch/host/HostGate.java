package civitai.daemon.download.fetch.host;

import java.net.URI;
import java.time.Duration;

/**
 * The rate limit of the hosts a source outside the engine knows (a model site whose 429 must hold
 * back every caller, and whose quota answer names no time): the engine waits on it before each
 * request, and asks it how long a 429 holds. Hosts the gate does not cover are never held, and
 * their 429 waits what they asked for. Implementations are thread-safe.
 */
public interface HostGate {
    /** A gate that covers no host. */
    HostGate OPEN = new HostGate() {
        @Override
        public void awaitOpen(URI uri) {}

        @Override
        public Duration rateLimited(URI uri, Duration retryAfter) {
            return retryAfter;
        }
    };

    /**
     * Told while a request waits on a closed gate: the wait is the host's rule, not a download
     * that stalled, so a stall watch is held meanwhile.
     */
    @FunctionalInterface
    interface Held {
        void held(boolean waiting);
    }

    /** Blocks while requests to {@code uri}'s host must wait; returns at once for other hosts. */
    void awaitOpen(URI uri) throws InterruptedException;

    /** True while a request to {@code uri} would wait in {@link #awaitOpen}. */
    default boolean holds(URI uri) {
        return false;
    }

    /**
     * {@code uri}'s host answered 429 asking for {@code retryAfter} (null: it named no time): how
     * long the attempt waits before the retry, held for every request to that host where the
     * gate covers it; null leaves the wait to the retry policy's backoff.
     */
    Duration rateLimited(URI uri, Duration retryAfter);
}
