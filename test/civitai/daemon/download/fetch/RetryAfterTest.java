package civitai.daemon.download.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** An answer's wait: Retry-After first, else a spent quota's RateLimit reset (t=). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "429 | 7    | null                                   | 7",
        "429 | 7    | '\"default\";r=0;t=30'                  | 7",
        "429 | null | '\"default\";r=0;t=30'                  | 30",
        "429 | null | 'limit=1000, remaining=0, reset=5, t=12' | 12",
        "429 | null | 'r=0'                                  | null",
        "429 | soon | 't=9'                                  | 9",
        "429 | null | null                                   | null",
        "503 | null | '\"api\";r=0;t=40'                      | 40",
        "502 | null | '\"api\";r=499;t=280'                   | null",
        "200 | null | '\"api\";r=10;t=280'                    | null",
        "503 | 5    | '\"api\";r=499;t=280'                   | 5",
    })
    void readsAnAnswersWait(int status, String retryAfter, String rateLimit, Long seconds) {
        var values = new HashMap<String, List<String>>();
        if (retryAfter != null) {
            values.put("Retry-After", List.of(retryAfter));
        }
        if (rateLimit != null) {
            values.put("RateLimit", List.of(rateLimit));
        }
        HttpHeaders headers = HttpHeaders.of(Map.copyOf(values), (k, v) -> true);
        assertEquals(Optional.ofNullable(seconds).map(Duration::ofSeconds),
                RetryAfter.of(status, headers).map(r -> r.from(NOW)));
    }
}
