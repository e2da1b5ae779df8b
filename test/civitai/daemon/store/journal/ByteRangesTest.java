package civitai.daemon.store.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Byte ranges kept merged: what the journal, the hasher and a segmented plan mean by "the ranges".
 */
class ByteRangesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0-10 20-30         | 0-10 20-30",
        "0-10 10-20         | 0-20",        // touching
        "0-15 10-20         | 0-20",        // overlapping
        "20-30 0-10 5-25    | 0-30",        // bridging two, added out of order
        "0-100 10-20        | 0-100",       // inside
        "0-0                | 0-0",         // the journal's marker: nothing synced yet
        "0-0 0-50           | 0-50",        // covered by a range from its start
        "50-60 0-10 30-40 9-31 | 0-40 50-60",
    })
    void rangesAreMerged(String added, String merged) {
        ByteRanges ranges = new ByteRanges();
        parse(added).forEach(ranges::add);
        assertEquals(parse(merged), ranges.asMap());
        assertEquals(parse(merged).entrySet().stream().mapToLong(e -> e.getValue() - e.getKey())
                .sum(), ranges.bytes());
        assertEquals(parse(merged), ByteRanges.of(parse(added)).asMap(), "built at once, the same");
    }

    @Test
    void pollFirstFrom_takesOnlyARangeThatStartsByThePosition() {
        ByteRanges ranges = ByteRanges.of(Map.of(10L, 20L, 30L, 40L));
        assertNull(ranges.pollFirstFrom(9));
        assertEquals(Map.entry(10L, 20L), ranges.pollFirstFrom(10));
        assertEquals(10, ranges.bytes());
        assertNull(ranges.pollFirstFrom(20));
        assertEquals(Map.entry(30L, 40L), ranges.pollFirstFrom(35));
        assertEquals(0, ranges.bytes());
    }

    @Test
    void aRangeEndingBeforeItStarts_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ByteRanges().add(10, 5));
    }

    private static TreeMap<Long, Long> parse(String spec) {
        TreeMap<Long, Long> out = new TreeMap<>();
        for (String r : spec.strip().split("\\s+")) {
            String[] ends = r.split("-");
            out.merge(Long.parseLong(ends[0]), Long.parseLong(ends[1]), Math::max);
        }
        return out;
    }
}
