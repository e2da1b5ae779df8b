package civitai.daemon.download.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.testing.MovableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One gate per host: its 429 holds that host for every caller, other hosts get what they ask. */
class RateGateTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final RateGate gate = new RateGate(URI.create("https://civitai.example/api/v1"),
            Duration.ofMinutes(10), clock);

    @Test
    void aQuota429_withoutRetryAfter_holdsTheHostForTheQuotaPause() {
        assertEquals(Duration.ofMinutes(10),
                gate.rateLimited(URI.create("https://civitai.example/api/download/1"), null));
        assertEquals(Duration.ofMinutes(10), gate.closedFor());
    }

    @Test
    void theHostsRetryAfter_wins() {
        assertEquals(Duration.ofSeconds(30),
                gate.rateLimited(URI.create("https://civitai.example/x"), Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(30), gate.closedFor());
    }

    @Test
    void anotherHosts429_isNotThisGates() {
        assertNull(gate.rateLimited(URI.create("https://storage.example/f"), null),
                "the retry policy's backoff");
        assertEquals(Duration.ofSeconds(5),
                gate.rateLimited(URI.create("https://storage.example/f"), Duration.ofSeconds(5)));
        assertEquals(Duration.ZERO, gate.closedFor(), "the gate's host stays open");
    }

    @Test
    void aClosingNeverShortensAnEarlierOne_andTheGateOpensWhenTheWaitHasPassed() {
        gate.close(Duration.ofSeconds(30));
        gate.close(RetryAfter.parse("5").orElseThrow(), Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(30), gate.closedFor());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Duration.ZERO, gate.closedFor());
        assertEquals(Duration.ZERO, gate.askAgainIn());
    }

    @Test
    void aCallerThatMustNotWait_isToldWholeSecondsRoundedUp() {
        gate.close(Duration.ofMillis(1_200));
        assertEquals(Duration.ofSeconds(2), gate.askAgainIn());
        clock.advance(Duration.ofMillis(1_100));
        assertEquals(Duration.ofSeconds(1), gate.askAgainIn());
    }

    @Test
    void aRetryAfterDate_isReadByTheGatesClock_andNoRetryAfterMeansTheCallersPause() {
        gate.close(RetryAfter.parse("Thu, 01 Jan 2026 00:00:45 GMT").orElseThrow(),
                Duration.ofMinutes(1));
        assertEquals(Duration.ofSeconds(45), gate.closedFor());
        RateGate other = new RateGate(URI.create("https://hub.example"), Duration.ofMinutes(10),
                clock);
        other.close(null, Duration.ofMinutes(1));
        assertEquals(Duration.ofMinutes(1), other.closedFor());
    }

    @Test
    void severalGates_eachDecideForTheirOwnHost() {
        RateGate hub = new RateGate(URI.create("http://127.0.0.1:9000"), Duration.ofSeconds(90),
                clock);
        HostGate both = RateGate.all(List.of(gate, hub));
        assertEquals(Duration.ofSeconds(90),
                both.rateLimited(URI.create("http://127.0.0.1:9000/org/m/resolve/x"), null));
        assertEquals(Duration.ofSeconds(90), hub.closedFor());
        assertEquals(Duration.ZERO, gate.closedFor(), "Civitai's gate is another host's");
        assertNull(both.rateLimited(URI.create("http://127.0.0.1:9001/cdn"), null),
                "a host no gate covers");
    }
}
