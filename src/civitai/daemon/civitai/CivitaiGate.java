package civitai.daemon.civitai;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The one limiter for everything sent to Civitai — metadata calls, update checks and downloads'
 * requests to the Civitai host: a 429 seen by any of them closes the gate for all until its
 * Retry-After has passed, so the daemon never hammers Civitai. Storage hosts are not gated.
 * Thread-safe.
 */
public final class CivitaiGate {
    private final String authority;
    private final Clock clock;
    private Instant openAt = Instant.EPOCH;  // guarded by this

    public CivitaiGate(URI civitaiUrl, Clock clock) {
        this.authority = authority(civitaiUrl);
        this.clock = clock;
    }

    /** True for URLs on the Civitai host (the one requests are gated for). */
    public boolean covers(URI uri) {
        return authority(uri).equals(authority);
    }

    /** Closes the gate for {@code wait} (never shortens an earlier closing). */
    public synchronized void close(Duration wait) {
        Instant until = Instant.now(clock).plus(wait);
        if (until.isAfter(openAt)) {
            openAt = until;
        }
    }

    /** How long the gate stays closed; zero when it is open. */
    public synchronized Duration closedFor() {
        Duration left = Duration.between(Instant.now(clock), openAt);
        return left.isNegative() ? Duration.ZERO : left;
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

    private static String authority(URI uri) {
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return host + ":" + port;
    }
}
