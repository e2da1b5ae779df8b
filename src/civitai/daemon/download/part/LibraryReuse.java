package civitai.daemon.download.part;

import civitai.daemon.target.ReuseMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Satisfies a job from a copy already on disk instead of the network: a hard link when source and
 * target share a file system (no bytes move), else a copy through a part file that is hashed as it
 * is written, fsynced and renamed, like a download. A copy whose hash differs is discarded, and the
 * job downloads as if nothing were there.
 */
public final class LibraryReuse {
    /** A file placed from {@code source}. */
    public record Reused(Path source, Path target, String sha256, long bytes) {}

    private final LocalCopies copies;
    private final ReuseMode mode;

    public LibraryReuse(LocalCopies copies, ReuseMode mode) {
        this.copies = copies;
        this.mode = mode;
    }

    /**
     * The target made from a local copy, or empty when there is none (or reuse is off, or the
     * target already exists: what to do with an existing file is Placement's decision).
     */
    public Optional<Reused> place(String sha256, Long expectedSize, Path target)
            throws DiskException {
        if (mode == ReuseMode.OFF || sha256 == null
                || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        Optional<Path> found = copies.find(sha256);
        if (found.isEmpty() || !Files.isRegularFile(found.get()) || found.get().equals(target)) {
            return Optional.empty();
        }
        Path source = found.get();
        long size;
        try {
            size = Files.size(source);
        } catch (IOException e) {
            return Optional.empty();  // gone since it was indexed: download instead
        }
        if (expectedSize != null && expectedSize != size) {
            return Optional.empty();
        }
        if (mode == ReuseMode.LINK) {
            switch (link(source, target)) {
                case LINKED -> {
                    return Optional.of(new Reused(source, target, sha256.toLowerCase(), size));
                }
                case TAKEN -> {
                    // a file appeared there meanwhile: never replaced from here
                    return Optional.empty();
                }
                case CANNOT -> { }  // copied below
            }
        }
        return copy(source, target, sha256)
                ? Optional.of(new Reused(source, target, sha256.toLowerCase(), size))
                : Optional.empty();
    }

    private enum Linked { LINKED, TAKEN, CANNOT }

    /**
     * CANNOT when the file systems differ or links are not supported: then the bytes are copied.
     */
    private static Linked link(Path source, Path target) {
        try {
            Files.createLink(target, source);
            return Linked.LINKED;
        } catch (FileAlreadyExistsException e) {
            return Linked.TAKEN;
        } catch (UnsupportedOperationException | IOException e) {
            return Linked.CANNOT;  // another file system (EXDEV) or no links there
        }
    }

    /**
     * Copies through {@code target.library.part}; true when the copy's hash is the one asked for.
     */
    private static boolean copy(Path source, Path target, String sha256) throws DiskException {
        Path part = target.resolveSibling(target.getFileName() + ".library.part");
        MessageDigest digest = sha256();
        // a stale one, or a planted link (removed itself): the copy is made new
        deleteQuietly(part);
        try (InputStream in = Files.newInputStream(source);
                FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            out.force(true);
        } catch (IOException e) {
            deleteQuietly(part);
            throw DiskException.of("copy from the library to", part, e);
        }
        if (!HexFormat.of().formatHex(digest.digest()).equalsIgnoreCase(sha256)) {
            deleteQuietly(part);  // the indexed file changed since it was hashed
            return false;
        }
        try {
            Files.move(part, target);  // a rename that refuses a file that appeared there meanwhile
            return true;
        } catch (FileAlreadyExistsException e) {
            deleteQuietly(part);
            return false;
        } catch (IOException e) {
            deleteQuietly(part);
            throw DiskException.of("rename", part, e);
        }
    }

    private static void deleteQuietly(Path part) {
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            // a stray .library.part is never taken for a model (the library skips .part files)
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
