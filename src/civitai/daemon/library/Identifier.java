package civitai.daemon.library;

import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.civitai.CivitaiException;
import civitai.daemon.civitai.HashLookup;
import civitai.daemon.library.index.LibraryIndex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Asks Civitai which versions the index's unidentified files are, {@link CivitaiClient#MAX_HASHES}
 * hashes per call. A hash Civitai does not know is not asked again for {@link #QUIET}. Called by
 * one scan at a time.
 */
final class Identifier {
    static final Duration QUIET = Duration.ofDays(1);
    /** Enough calls for a million files; the loop ends sooner, as each hash is asked once. */
    private static final int MAX_CALLS = 10_000;

    /** How one round went. */
    record Result(long asked, long matched, String error) {}

    private final LibraryIndex index;
    private final HashLookup lookup;
    private final Consumer<HashLookup.Match> onMatch;

    /** @param onMatch told of each file Civitai named, after the index records it */
    Identifier(LibraryIndex index, HashLookup lookup, Consumer<HashLookup.Match> onMatch) {
        this.index = index;
        this.lookup = lookup;
        this.onMatch = onMatch;
    }

    Result identifyAll(BooleanSupplier cancelled) throws InterruptedException {
        long asked = 0;
        long matched = 0;
        for (int call = 0; call < MAX_CALLS && !cancelled.getAsBoolean(); call++) {
            List<String> batch = index.toIdentify(CivitaiClient.MAX_HASHES, QUIET);
            if (batch.isEmpty()) {
                break;
            }
            Map<String, HashLookup.Match> found;
            try {
                found = lookup.find(batch);
            } catch (CivitaiException e) {
                return new Result(asked, matched, e.getMessage());
            }
            List<String> unknown = new ArrayList<>();
            for (String sha : batch) {
                HashLookup.Match m = found.get(sha);
                if (m == null) {
                    unknown.add(sha);
                } else {
                    index.matched(sha, m);
                    onMatch.accept(m);
                }
            }
            index.unmatched(unknown);
            asked += batch.size();
            matched += found.size();
        }
        return new Result(asked, matched, null);
    }
}
