package civitai.daemon.download.fetch;

import civitai.daemon.download.fetch.host.Authority;
import civitai.daemon.download.fetch.host.HostGate;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The one rate limit of one host (its host and port) that a source names: a 429 seen by
 * any request to it — the source's own metadata calls and update checks, and the engine's
 * downloads — closes the gate for all of them until the wait has passed, so the daemon never
 * hammers that host. The engine waits on it before each request ({@link HostGate}); a 429 that
 * names no time holds the host for {@code quotaPause} (a download quota: asking again in seconds
 * only spends it). Other hosts pass freely and their 429 waits what it asked for. Thread-safe.
 */
public final class RateGate implements HostGate {
    private final String authority;
    private final Duration quotaPause;
    private final Clock clock;
    private Instant openAt = Instant.EPOCH;  // guarded by this

    /** The gate of {@code host}'s host and port; {@code quotaPause} as above. */
    public RateGate(URI host, Duration quotaPause, Clock clock) {
        this.authority = Authority.of(host);
        this.quotaPause = quotaPause;
        this.clock = clock;
    }

    /**
     * The engine's view of several gates: a request waits on the gate of its host, and a 429 is
     * that gate's to decide; a host none covers is never held.
     */
    public static HostGate all(List<RateGate> gates) {
        List<RateGate> all = List.copyOf(gates);
        return new HostGate() {
            @Override
            public void awaitOpen(URI uri) throws InterruptedException {
                for (RateGate g : all) {
                    g.awaitOpen(uri);
                }
            }

            @Override
            public boolean holds(URI uri) {
                return all.stream().anyMatch(g -> g.holds(uri));
            }

            @Override
            public Duration rateLimited(URI uri, Duration retryAfter) {
                return all.stream().filter(g -> g.covers(uri)).findFirst()
                        .map(g -> g.rateLimited(uri, retryAfter)).orElse(retryAfter);
            }
        };
    }

    /** True for URLs on this gate's host (the one requests are gated for). */
    public boolean covers(URI uri) {
        return Authority.of(uri).equals(authority);
    }

    /** Closes the gate for {@code wait} (never shortens an earlier closing). */
    public synchronized void close(Duration wait) {
        Instant until = Instant.now(clock).plus(wait);
        if (until.isAfter(openAt)) {
            openAt = until;
        }
    }

    /**
     * Closes the gate for what a 429 asked ({@code asked}: its Retry-After, read by this gate's
     * clock), or for {@code otherwise} when it asked nothing.
     */
    public void close(RetryAfter asked, Duration otherwise) {
        close(asked == null ? otherwise : asked.from(Instant.now(clock)));
    }

    /** How long the gate stays closed; zero when it is open. */
    public synchronized Duration closedFor() {
        Duration left = Duration.between(Instant.now(clock), openAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * What a caller that must not wait (a person asking) is told: when to ask again, in whole
     * seconds rounded up, at least one; zero when the gate is open.
     */
    public Duration askAgainIn() {
        Duration left = closedFor();
        return left.isZero() ? Duration.ZERO
                : Duration.ofSeconds(Math.max(1, (left.toMillis() + 999) / 1000));
    }

    /** Waits until the gate is open. */
    public void await() throws InterruptedException {
        while (true) {
            Duration left;
            synchronized (this) {
                left = Duration.between(Instant.now(clock), openAt);
            }
            if (left.isNegative() || left.isZero()) {
                return;
            }
            Thread.sleep(left.toMillis() + 1);
        }
    }

    @Override
    public void awaitOpen(URI uri) throws InterruptedException {
        if (covers(uri)) {
            await();
        }
    }

    @Override
    public boolean holds(URI uri) {
        return covers(uri) && !closedFor().isZero();
    }

    @Override
    public Duration rateLimited(URI uri, Duration retryAfter) {
        if (!covers(uri)) {
            return retryAfter;
        }
        Duration wait = retryAfter != null ? retryAfter : quotaPause;
        close(wait);
        return wait;
    }
}
