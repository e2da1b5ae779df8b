package civitai.daemon.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.rules.BodyLimit;
import civitai.daemon.download.rules.ExpectedSize;
import org.junit.jupiter.api.Test;

/**
 * Where a body without a length is cut: the entry's size, an earlier answer's, max_file_size, free
 * space.
 */
class BodyLimitRulesTest {
    private static final long MAX = 1L << 30;

    @Test
    void aRoundedSize_allowsItsTolerance_anExactOneNothing() {
        BodyLimit rounded = BodyLimit.of(new ExpectedSize(1 << 20, false), null, MAX, 10L, 0);
        assertEquals((1 << 20) + (1 << 20) / 100 + 64 * 1024, rounded.most());
        assertEquals("size_mismatch", rounded.code());
        assertEquals(1 << 20, BodyLimit.of(new ExpectedSize(1 << 20, true), null, MAX, null, 0)
                .most());
    }

    @Test
    void anEarlierAnswersSize_isExact() {
        BodyLimit limit = BodyLimit.of(null, 5000L, MAX, null, 0);
        assertEquals(5000, limit.most());
        assertEquals("size_mismatch", limit.code());
        assertTrue(limit.dropsPart());
    }

    @Test
    void withNoSize_theSmallerOfMaxFileSizeAndTheRoomLeft() {
        assertEquals("too_large", BodyLimit.of(null, null, MAX, null, 0).code());
        assertEquals(MAX, BodyLimit.of(null, null, MAX, MAX * 2, 0).most());
        BodyLimit space = BodyLimit.of(null, null, MAX, 1000L, 300);
        assertEquals("disk_space", space.code());
        assertEquals(1300, space.most(), "the part's bytes plus what may still be written");
        assertFalse(space.dropsPart(),
                "a part cut for space is kept for a retry once space is freed");
        assertEquals(300, BodyLimit.of(null, null, MAX, -50L, 300).most(),
                "no room: not a byte more");
    }
}
