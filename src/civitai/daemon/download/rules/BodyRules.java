package civitai.daemon.download.rules;

import java.nio.file.Path;

/**
 * What bounds a file's size before and while it arrives: a size the server offers is refused
 * when the entry rules it out, or when the entry gives none and it is beyond
 * {@code max_file_size}; an answer that gives no size gets its {@link BodyLimit}. Immutable.
 *
 * @param maxFileSize the largest file whose size nobody promised
 * @param space       the free-space rule, or null when free space is not checked
 */
public record BodyRules(long maxFileSize, SpaceGate space) {
    /**
     * max_file_size's default (the config's is the same): only a bound against a body that never
     * ends.
     */
    public static final BodyRules DEFAULT = new BodyRules(256L << 30, null);

    /** Null when {@code total} (null: not given) can be the file; else the job's failure. */
    public Outcome.Fail refuse(ExpectedSize expected, Long total, int status, long partLength) {
        if (total == null) {
            return null;
        }
        if (expected != null && expected.rulesOut(total)) {
            return new Outcome.Fail("size_mismatch", "the server offers " + total + " bytes but "
                    + (expected.exact() ? "" : "about ") + expected.bytes()
                    + " were expected: not the model file", status, partLength);
        }
        if (expected == null && total > maxFileSize) {
            return new Outcome.Fail("too_large",
                    "the server offers " + total + " bytes, more than max_file_size (" + maxFileSize
                    + "), and the entry gives no size; raise max_file_size if the file really is"
                    + " this large", status, partLength);
        }
        return null;
    }

    /**
     * Where the body of an answer is cut should it give no length.
     *
     * @param earlierTotal the size an earlier answer with the same validator gave, or null
     * @param folder       where the file goes (for the free-space rule)
     */
    public BodyLimit limit(ExpectedSize expected, Long earlierTotal, Path folder, long partLength) {
        Long room = space == null ? null : space.room(folder);
        return BodyLimit.of(expected, earlierTotal, maxFileSize, room, partLength);
    }
}
