package civitai.daemon.download.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.rules.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Why the watchdog stopped an attempt is a value: its code and its words, never split from a
 * string.
 */
class AttemptGuardTest {
    @Test
    void aPassedDeadline_abortsWithTimeout_andInterruptsTheAttempt() {
        AttemptGuard guard = new AttemptGuard(Thread.currentThread(), Duration.ofHours(1),
                Duration.ZERO);
        guard.check(System.nanoTime());

        assertEquals(new AttemptGuard.Abort("timeout", "attempt took longer than timeout (0 s)"),
                guard.abort());
        assertTrue(Thread.currentThread().isInterrupted());
        guard.finish();
        assertFalse(Thread.currentThread().isInterrupted(),
                "the watchdog's interrupt does not leak");
    }

    @Test
    void noData_abortsAsStalled_andTheRetryCarriesCodeAndWords() {
        AttemptGuard guard = new AttemptGuard(Thread.currentThread(), Duration.ofMillis(1500),
                Duration.ofHours(1));
        guard.check(System.nanoTime() + Duration.ofSeconds(2).toNanos());
        guard.finish();

        Outcome.Retry retry = guard.abort().retry(42);
        assertEquals("stalled", retry.code());
        assertEquals("stalled: no data for stall_timeout (1.5 s)", retry.message());
        assertEquals(42, retry.bytes());
    }

    @Test
    void aFinishedAttempt_isNotAborted() {
        AttemptGuard guard = new AttemptGuard(Thread.currentThread(), Duration.ofMillis(1),
                Duration.ZERO);
        guard.finish();
        guard.check(System.nanoTime());
        assertNull(guard.abort());
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
