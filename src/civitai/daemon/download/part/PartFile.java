package civitai.daemon.download.part;

import civitai.daemon.target.Targets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * {@code <target>.part}: bytes written at their offsets by one or more {@link Writer}s, and the
 * SHA-256 of its contiguous prefix kept in step by an {@link InOrderHasher}, so the finished file
 * is never read a second time. An existing part is hashed once when opened. Each writer has a
 * channel of its own, so an interrupt that closes one writer's channel leaves the others alone.
 * The part is never opened through a link ({@link LinkOption#NOFOLLOW_LINKS} on every open): a link
 * planted at its name fails the open instead of writing outside download_dir, and
 * {@link PartOnDisk#discardUnlessRegular} removes one before a download starts. Thread-safe.
 */
public final class PartFile {
    private static final int READ_CHUNK = 1 << 20;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path path;
    private final BufferBudget budget;
    private volatile InOrderHasher hasher;
    private volatile Runnable onReset = () -> { };
    private FileChannel reader;  // the hasher thread's, open between settle() calls

    private PartFile(Path path, BufferBudget budget, MessageDigest digest, long prefix) {
        this.path = path;
        this.budget = budget;
        this.hasher = newHasher(digest, prefix);
    }

    /**
     * Opens the part beside {@code target}: what an earlier run left there is the prefix, hashed
     * now. Its writers' buffers are lent by {@code budget}.
     */
    public static PartFile beside(Path target, BufferBudget budget) throws DiskException {
        Path path = Targets.part(target);
        MessageDigest digest = newDigest();
        long length = Files.exists(path, NOFOLLOW) ? hashInto(digest, path, Long.MAX_VALUE) : 0;
        return new PartFile(path, budget, digest, length);
    }

    /**
     * Opens the part beside {@code target} as a range journal describes it: its first
     * {@code prefix} bytes are hashed now, the other ranges are trusted as written.
     */
    public static PartFile journalled(Path target, BufferBudget budget, long prefix,
            Map<Long, Long> ranges) throws DiskException {
        Path path = Targets.part(target);
        MessageDigest digest = newDigest();
        long hashed = prefix > 0 && Files.exists(path, NOFOLLOW) ? hashInto(digest, path, prefix)
                : 0;
        PartFile part = new PartFile(path, budget, digest, hashed);
        if (hashed == prefix) {
            ranges.forEach(part.hasher::written);
        }
        return part;
    }

    public Path path() {
        return path;
    }

    /** The contiguous prefix: where a download by one connection continues. */
    public long length() {
        return hasher.prefix();
    }

    /** Every byte written, in the prefix or beyond it (progress of a segmented download). */
    public long bytes() {
        return hasher.writtenBytes();
    }

    /** Written ranges beyond the prefix (start → end), in file order. */
    public Map<Long, Long> ahead() {
        return hasher.ahead();
    }

    /** Keeps only the contiguous prefix: the bytes beyond it are cut off and fetched again. */
    public void keepPrefix() throws DiskException {
        settle();
        hasher.forgetAhead();
        truncateToPrefix();
    }

    /** Cuts off bytes a stopped write left beyond the prefix, before one connection appends. */
    public void truncateToPrefix() throws DiskException {
        try (FileChannel ch = openForWrite()) {
            if (ch.size() > length()) {
                ch.truncate(length());
            }
        } catch (IOException e) {
            throw DiskException.of("write", path, e);
        }
    }

    /** A writer with a channel of its own; close it when done. */
    public Writer writer() throws DiskException {
        try {
            return new Writer(openForWrite());
        } catch (IOException e) {
            throw DiskException.of("write", path, e);
        }
    }

    /** Waits until the prefix is hashed; its SHA-256 in lower-case hex. */
    public String sha256() throws DiskException {
        try {
            return hasher.settle();
        } catch (IOException e) {
            throw DiskException.of("read back", path, e);
        } finally {
            closeReader();
        }
    }

    /** Stops hashing until the next write (between attempts); the hash state stays. */
    public void settle() {
        try {
            hasher.settle();
        } catch (IOException e) {
            // reported by sha256() when the part is verified
        } finally {
            closeReader();
        }
    }

    /** Runs after every {@link #reset()} (the range journal forgets the part too). */
    public void onReset(Runnable action) {
        onReset = action;
    }

    /** Flushes every byte written so far to the disk. */
    public void force() throws DiskException {
        try (FileChannel ch = openForWrite()) {
            ch.force(false);
        } catch (IOException e) {
            throw DiskException.of("sync", path, e);
        }
    }

    /** Forgets every byte: the next write starts the file from zero. */
    public void reset() throws DiskException {
        onReset.run();
        settle();
        hasher = newHasher(newDigest(), 0);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw DiskException.of("delete", path, e);
        }
    }

    /**
     * Created when missing; a link at the part's name fails the open rather than be written
     * through.
     */
    private FileChannel openForWrite() throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                NOFOLLOW);
    }

    private InOrderHasher newHasher(MessageDigest digest, long prefix) {
        return new InOrderHasher(digest, prefix, budget, this::readAt);
    }

    /** Called on the hasher's thread only. */
    private void readAt(long position, ByteBuffer into) throws IOException {
        FileChannel ch = reader;
        if (ch == null) {
            ch = FileChannel.open(path, StandardOpenOption.READ, NOFOLLOW);
            reader = ch;
        }
        while (into.hasRemaining()) {
            if (ch.read(into, position + into.position()) < 0) {
                throw new IOException("the part is shorter than the bytes written to it");
            }
        }
    }

    /** After the hasher thread ended (so no read races this). */
    private void closeReader() {
        FileChannel ch = reader;
        reader = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                // read only: nothing is lost
            }
        }
    }

    /** Writes bytes at positions of the part; used by one thread. */
    public final class Writer implements AutoCloseable {
        private final FileChannel channel;

        private Writer(FileChannel channel) {
            this.channel = channel;
        }

        /**
         * Writes {@code piece} at {@code position} through the hasher's buffers (the client's own
         * are read-only, which would send the digest down a slow path); returns the bytes written.
         */
        public int write(long position, ByteBuffer piece)
                throws DiskException, InterruptedException {
            int total = piece.remaining();
            InOrderHasher h = hasher;
            while (piece.hasRemaining()) {
                byte[] buffer = h.buffer();
                int n = Math.min(buffer.length, piece.remaining());
                piece.get(buffer, 0, n);
                try {
                    ByteBuffer out = ByteBuffer.wrap(buffer, 0, n);
                    while (out.hasRemaining()) {
                        channel.write(out, position + out.position());
                    }
                } catch (IOException e) {
                    h.recycle(buffer);
                    throw DiskException.of("write", path, e);
                }
                h.written(position, buffer, n);
                position += n;
            }
            return total;
        }

        /** Flushes this writer's bytes to the disk (before they are journalled as done). */
        public void force() throws DiskException {
            try {
                channel.force(false);
            } catch (IOException e) {
                throw DiskException.of("sync", path, e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // the bytes written are in the file or not counted: nothing to lose here
            }
        }
    }

    private static long hashInto(MessageDigest digest, Path file, long limit) throws DiskException {
        long done = 0;
        try (InputStream in = Files.newInputStream(file, NOFOLLOW)) {
            byte[] buffer = new byte[READ_CHUNK];
            for (int n; done < limit && (n =
                    in.read(buffer, 0, (int) Math.min(buffer.length, limit - done))) > 0; ) {
                digest.update(buffer, 0, n);
                done += n;
            }
        } catch (IOException e) {
            throw DiskException.of("read", file, e);
        }
        return done;
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
