package civitai.daemon.download.part;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** When a recorded range journal may describe a part: the one rule every resume asks. */
class JournalClaimTest {
    @ParameterizedTest(name = "{0} in a part of {1} bytes, total {2}, validator {3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "0-100 500-800 | 800  | 1000 | \"e\"  | true",
        // a part longer than claimed: the tail is a hole
        "0-100 500-800 | 1000 | 1000 | \"e\"  | true",
        "0-100 500-800 | 799  | 1000 | \"e\"  | false",  // shorter than claimed: bytes were lost
        "0-100 500-800 | 800  | null | \"e\"  | false",  // no size: gaps cannot be planned
        "0-100 500-800 | 800  | 1000 | null   | false",  // no validator: a resume cannot be guarded
        // only the marker: nothing synced, nothing trusted as a prefix
        "0-0           | 0    | 1000 | \"e\"  | true",
        "''            | 800  | 1000 | \"e\"  | false",  // no journal
    })
    void trusts(String ranges, long partSize, Long total, String validator, boolean trusted) {
        assertEquals(trusted, JournalClaim.trusts(parse(ranges), partSize, total, validator));
    }

    private static Map<Long, Long> parse(String spec) {
        Map<Long, Long> out = new TreeMap<>();
        for (String r : spec.strip().split("\\s+")) {
            if (!r.isEmpty()) {
                String[] ends = r.split("-");
                out.put(Long.parseLong(ends[0]), Long.parseLong(ends[1]));
            }
        }
        return out;
    }
}
