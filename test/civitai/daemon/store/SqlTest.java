package civitai.daemon.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.DateTimeException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The store's hand-written timestamp parser reads what Instant.parse reads, and refuses the rest.
 */
class SqlTest {
    @Test
    void whatTheStoreWrites_readsBackAsTheSameInstant() {
        for (Instant at : new Instant[] {
                Instant.parse("2026-11-22T19:27:33Z"), Instant.parse("2026-11-22T19:27:33.100Z"),
                Instant.parse("2026-11-22T19:27:33.186Z"),
                Instant.parse("2026-11-22T19:27:33.530617Z"),
                Instant.parse("2026-11-22T19:27:33.530617838Z"),
                Instant.parse("2024-02-29T23:59:59.000000001Z"), Instant.EPOCH,
                Instant.parse("1969-12-31T23:59:59.5Z"), Instant.parse("9999-12-31T23:59:59Z")}) {
            assertEquals(at, Sql.instant(at.toString()), at.toString());
        }
        assertNull(Sql.instant(null));
    }

    @Test
    void otherFormsGoToInstantParse() {
        assertEquals(Instant.parse("+10000-01-01T00:00:00Z"),
                Sql.instant("+10000-01-01T00:00:00Z"));
        assertEquals(Instant.parse("2026-11-22T19:27:33.12Z"),
                Sql.instant("2026-11-22T19:27:33.12Z"));
    }

    @Test
    void anOddOrInvalidTimestamp_isReadExactlyAsInstantParseReadsIt() {
        for (String odd : new String[] {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-11-22T24:00:00Z", "2026-11-22T19:60:00Z", "2026-11-22T19:27:61Z",
                "2026-11-22T19:27:33.Z", "2026-11-22T19:27:33,1Z",
                "2026-11-22 19:27:33Z", "2026-1a-22T19:27:33Z", "2026-11-22T19:27:33.1234567890Z",
                "2026-11-22T23:59:60Z", "2026-11-22T19:27:33+01:00", "yesterday"}) {
            Object expected;
            try {
                expected = Instant.parse(odd);
            } catch (DateTimeException e) {
                expected = DateTimeException.class;
            }
            Object actual;
            try {
                actual = Sql.instant(odd);
            } catch (DateTimeException e) {
                actual = DateTimeException.class;
            }
            assertEquals(expected, actual, odd);
        }
    }
}
