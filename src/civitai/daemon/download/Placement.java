package civitai.daemon.download;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last step of every download, and the only code that puts a file at a target:
 * verify → fsync → atomic rename into the target ({@link #place}). A part whose hash is not the
 * expected one is discarded and never moved. Rules about what may stand at a target belong here.
 * Thread-safe (stateless).
 */
public final class Placement {
    /** Creates the step; it keeps no state. */
    public Placement() {}

    /**
     * Verifies the finished {@code part} against {@code expectedSha256} (null: nothing to check),
     * flushes it to disk and renames it to {@code target} in one step.
     *
     * @param status the HTTP status of the answer that ended the download, for the record
     */
    Outcome place(PartFile part, Path target, String expectedSha256, Integer status) throws DiskException {
        String actual = part.sha256();
        long bytes = part.length();
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
            part.reset();
            return new Outcome.Retry("hash_mismatch", "SHA-256 mismatch: expected " + expectedSha256
                    + ", got " + actual + " (" + bytes + " bytes); the download was discarded",
                    null, status, bytes);
        }
        if (expectedSha256 == null && Files.exists(target)) {
            return new Outcome.Fail("target_exists", target + " appeared during the download and"
                    + " there is no sha256 to tell which is right; kept it, left " + part.path(), status, bytes);
        }
        fsyncAndRename(part.path(), target);
        return new Outcome.Done(target, actual, bytes, true);
    }

    private static void fsyncAndRename(Path part, Path target) throws DiskException {
        try {
            // FileDescriptor.sync, unlike FileChannel.force, cannot be cut short by an interrupt:
            // a stop arriving now must not turn a verified file into a failed job
            try (RandomAccessFile file = new RandomAccessFile(part.toFile(), "rw")) {
                file.getFD().sync();
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw DiskException.of("move the verified file to", target, e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to sync a folder; the rename itself is already atomic
        }
    }
}
