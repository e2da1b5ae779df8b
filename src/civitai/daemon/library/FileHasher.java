package civitai.daemon.library;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * SHA-256 of a file, read in large blocks so a disk is read at its speed. One per hashing thread,
 * holding its own buffer: the buffers together are bounded by the number of threads. Not
 * thread-safe.
 */
final class FileHasher {
    static final int BUFFER_SIZE = 1 << 20;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final MessageDigest digest;

    FileHasher() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * The lower-case hex SHA-256 of {@code file}; {@code progress} gets each block's length.
     *
     * @throws CancellationException when {@code cancelled} turns true between blocks
     */
    String hash(Path file, LongConsumer progress, BooleanSupplier cancelled) throws IOException {
        digest.reset();
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("scan cancelled");
                }
                digest.update(buffer, 0, n);
                progress.accept(n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
