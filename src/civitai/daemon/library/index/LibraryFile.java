package civitai.daemon.library.index;

import java.time.Instant;

/**
 * One indexed model file, as its row says.
 *
 * @param inode     the file system's key for the file (device and inode), null if it has none
 * @param sha256    lower-case hex; null until hashed
 * @param autoV2    the first 10 hex digits of the SHA-256 (what A1111 shows as "Model hash")
 * @param modelType from the folders it is in; null when none says
 * @param source    where it is known from ({@code civitai}), null when unidentified
 * @param state     {@code present} or {@code missing} (gone at the last scan, kept until it
 *                  returns)
 * @param unmatched when Civitai last said it does not know the hash, or null
 */
public record LibraryFile(long id, String path, String root, long size, long mtimeMillis,
        String inode, String sha256, String autoV2, String modelType, String source, Long modelId,
        Long versionId, String modelName, String state, Instant hashedAt, Instant unmatched,
        Instant seenAt, String entryJson) {

    public static final String PRESENT = "present";
    public static final String MISSING = "missing";

    public boolean identified() {
        return source != null;
    }

    public String name() {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    /** The AutoV2 hash of a SHA-256. */
    static String autoV2(String sha256) {
        return sha256 == null ? null : sha256.substring(0, 10);
    }
}
