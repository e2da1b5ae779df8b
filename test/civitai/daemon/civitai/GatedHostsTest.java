package civitai.daemon.civitai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Civitai's 429 rule lives with Civitai: its quota answer holds its host, other hosts get what they ask. */
class GatedHostsTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final CivitaiGate gate = new CivitaiGate(URI.create("https://civitai.example/api/v1"), clock);
    private final GatedHosts hosts = new GatedHosts(gate, Duration.ofMinutes(10));

    @Test
    void aQuota429FromCivitai_withoutRetryAfter_holdsTheHostForTheQuotaPause() {
        assertEquals(Duration.ofMinutes(10), hosts.rateLimited(URI.create("https://civitai.example/api/download/1"), null));
        assertEquals(Duration.ofMinutes(10), gate.closedFor());
    }

    @Test
    void civitaisRetryAfter_wins() {
        assertEquals(Duration.ofSeconds(30), hosts.rateLimited(URI.create("https://civitai.example/x"),
                Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(30), gate.closedFor());
    }

    @Test
    void aStorageHosts429_isNotCivitais() {
        assertNull(hosts.rateLimited(URI.create("https://storage.example/f"), null), "the retry policy's backoff");
        assertEquals(Duration.ofSeconds(5), hosts.rateLimited(URI.create("https://storage.example/f"),
                Duration.ofSeconds(5)));
        assertEquals(Duration.ZERO, gate.closedFor(), "Civitai stays open");
    }
}
