package civitai.daemon.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Replaces a small text file so that readers see the old or the new content, never a mix. */
public final class AtomicWrite {
    private AtomicWrite() {}

    /** Writes {@code text} to a temp file beside {@code target}, fsyncs it, and renames it over. */
    public static void replace(Path target, String text) throws IOException {
        Path temp = prepare(target, text);
        try {
            moveOver(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The first half of {@link #replace}: {@code text} in a new, fsynced temp file beside
     * {@code target} (readable by the owner alone), for a caller that checks something before
     * {@link #moveOver}; the caller deletes the temp file when it does not move it.
     */
    public static Path prepare(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    /** The second half: renames a prepared temp file over {@code target} in one step. */
    public static void moveOver(Path temp, Path target) throws IOException {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
