package civitai.daemon.manifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

/**
 * The bytes of a file as one read saw them, and the file's identity then (inode, size, mtime), so
 * a writer can tell before it renames over the file whether someone saved it meanwhile: by
 * renaming another file into place (a new inode), by rewriting it in place (size or mtime), or
 * within one mtime tick at the same size (the bytes). Immutable.
 *
 * @param bytes null when the file did not exist
 */
record DiskCopy(byte[] bytes, Stamp stamp) {
    /** How often a read is repeated while the file changes under it. */
    private static final int SETTLE_READS = 3;

    /** What the file system says of the file; {@link #ABSENT} when there is none. */
    record Stamp(Object fileKey, long size, FileTime modified) {
        static final Stamp ABSENT = new Stamp(null, -1, null);

        static Stamp of(Path file) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Stamp(a.fileKey(), a.size(), a.lastModifiedTime());
            } catch (NoSuchFileException e) {
                return ABSENT;
            }
        }
    }

    boolean exists() {
        return bytes != null;
    }

    /**
     * Reads {@code file} whole; a read during which the file changed (a save under way) is
     * repeated a few times, so a half-written file is rarely taken for the manifest.
     */
    static DiskCopy read(Path file) throws IOException {
        DiskCopy copy = readOnce(file);
        for (int i = 1; i < SETTLE_READS && !copy.stamp.equals(Stamp.of(file)); i++) {
            copy = readOnce(file);
        }
        return copy;
    }

    private static DiskCopy readOnce(Path file) throws IOException {
        Stamp before = Stamp.of(file);
        try {
            return new DiskCopy(Files.readAllBytes(file), before);
        } catch (NoSuchFileException e) {
            return new DiskCopy(null, Stamp.ABSENT);
        }
    }

    /**
     * Whether {@code file} still holds what this copy saw. The bytes are compared as well as the
     * stamp (a coarse mtime misses a quick same-size edit), and the stamp once more last, the
     * cheapest check, so the gap left before a rename is as short as it can be.
     */
    boolean isStillOn(Path file) throws IOException {
        if (!stamp.equals(Stamp.of(file))) {
            return false;
        }
        byte[] now;
        try {
            now = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            now = null;
        }
        return Arrays.equals(bytes, now) && stamp.equals(Stamp.of(file));
    }
}
