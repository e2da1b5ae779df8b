package civitai.daemon.download.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Retry-After as seconds or an HTTP date, read without a clock and turned into a wait at a moment.
 */
class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "7                             | 7",
        "' 120 '                       | 120",
        "0                             | 0",
        "Sun, 22 Nov 2026 10:01:30 GMT | 90",
        "Sun, 22 Nov 2026 09:00:00 GMT | 0",
        "-5                            | null",
        "soon                          | null",
        "99999999999999999999          | null",
        "''                            | null",
    })
    void parses(String header, Long seconds) {
        Optional<Duration> wait = RetryAfter.parse(header).map(r -> r.from(NOW));
        assertEquals(Optional.ofNullable(seconds).map(Duration::ofSeconds), wait);
    }

    @Test
    void anAbsentHeader_isNoWait() {
        assertEquals(Optional.empty(), RetryAfter.parse(null));
    }

    @Test
    void isEitherSecondsOrADate() {
        assertThrows(IllegalArgumentException.class, () -> new RetryAfter(Duration.ZERO, NOW));
        assertThrows(IllegalArgumentException.class, () -> new RetryAfter(null, null));
    }
}
