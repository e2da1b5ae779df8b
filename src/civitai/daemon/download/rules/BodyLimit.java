package civitai.daemon.download.rules;

/**
 * Where the body of an answer that gives no length (no Content-Length, or one closed when done)
 * is cut, and what going past that point means: the entry's size plus its tolerance, else the
 * size an earlier answer for the same file gave, else {@code max_file_size} or the room the
 * free-space rule leaves, whichever is smaller. Immutable.
 *
 * @param most the bytes the part may hold
 * @param code the failure beyond it
 * @param why  what {@code most} comes from, for the message
 */
public record BodyLimit(long most, String code, String why) {
    /**
     * @param earlierTotal the file's size as an earlier answer with the same validator gave it, or
     *                     null
     * @param room         what the file system can still take before min_free_space, or null when
     *                     unknown
     */
    public static BodyLimit of(ExpectedSize expected, Long earlierTotal, long maxFileSize,
            Long room, long partLength) {
        if (expected != null) {
            return new BodyLimit(expected.most(), "size_mismatch",
                    "the entry promises " + (expected.exact() ? ""
                    : "about ") + expected.bytes() + " bytes: not the model file");
        }
        if (earlierTotal != null) {
            return new BodyLimit(earlierTotal, "size_mismatch",
                    "an earlier answer said the file has " + earlierTotal
                    + " bytes: not the same file");
        }
        long space = room == null ? Long.MAX_VALUE : partLength + Math.max(0, room);
        if (space < maxFileSize) {
            return new BodyLimit(space, "disk_space", "more would leave less than min_free_space"
                    + " free; the partial download is kept");
        }
        return new BodyLimit(maxFileSize, "too_large", "neither the entry nor the server gives the"
                + " file's size, and max_file_size is " + maxFileSize
                + " bytes; raise it if the file really is larger");
    }

    /** The job's failure once the body went on past {@link #most}. */
    public Outcome.Fail passed(int status, long bytes) {
        return new Outcome.Fail(code, "the server sent more than " + most + " bytes without saying"
                + " how many (no Content-Length), and kept on; " + why, status, bytes);
    }

    /**
     * Whether the part is dropped once past the limit: its bytes are not the file, unless space ran
     * out.
     */
    public boolean dropsPart() {
        return !code.equals("disk_space");
    }
}
