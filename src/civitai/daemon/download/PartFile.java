package civitai.daemon.download;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code <target>.part} and the SHA-256 of exactly its bytes, kept in step: the hash is computed as
 * bytes arrive, so the finished file is never read twice. An existing part is hashed once when
 * opened. Appending writes on the worker thread while a {@link PipelinedDigest} hashes the same
 * buffer. Used by one worker thread at a time; {@link #length()} may be read from any thread.
 */
final class PartFile {
    private static final int READ_CHUNK = 1 << 20;

    private final Path path;
    private MessageDigest digest = newDigest();
    private volatile long length;
    private FileOutputStream out;
    private PipelinedDigest pipeline;
    private boolean broken;

    private PartFile(Path path) {
        this.path = path;
    }

    /** Opens the part beside {@code target}, hashing what an earlier run left there. */
    static PartFile beside(Path target) throws DiskException {
        PartFile part = new PartFile(Targets.part(target));
        if (Files.exists(part.path)) {
            try (InputStream in = Files.newInputStream(part.path)) {
                byte[] buffer = new byte[READ_CHUNK];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    part.digest.update(buffer, 0, n);
                    part.length += n;
                }
            } catch (IOException e) {
                throw DiskException.of("read", part.path, e);
            }
        }
        return part;
    }

    Path path() {
        return path;
    }

    long length() {
        return length;
    }

    /** Starts appending; first cuts off any bytes an interrupted write left beyond the hashed length. */
    void beginAppend() throws DiskException {
        if (broken) {
            throw new DiskException("a write to " + path + " failed earlier; the part is re-read on the next run", null);
        }
        try {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                if (ch.size() > length) {
                    ch.truncate(length);
                }
            }
            out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw DiskException.of("write", path, e);
        }
        pipeline = new PipelinedDigest(digest);
    }

    /**
     * Copies a piece of the body into pooled buffers, each handed to the hasher and written. The
     * write is not interruptible, so a byte that reached the hasher always reaches the file too.
     */
    void append(ByteBuffer piece) throws DiskException, InterruptedException {
        while (piece.hasRemaining()) {
            byte[] buffer = pipeline.buffer();
            int n = Math.min(buffer.length, piece.remaining());
            piece.get(buffer, 0, n);
            pipeline.hash(buffer, n);
            try {
                out.write(buffer, 0, n);
            } catch (IOException e) {
                broken = true;  // hashed but not written: this part's digest can no longer be trusted
                throw DiskException.of("write", path, e);
            }
            length += n;
        }
    }

    /** Ends appending once every byte is hashed; safe to call when not appending. */
    void endAppend() {
        if (pipeline != null) {
            pipeline.finish();
            pipeline = null;
        }
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // the next beginAppend() truncates to the hashed length, so nothing is lost
            }
            out = null;
        }
    }

    /** Forgets every byte: the next append starts the file from zero. */
    void reset() throws DiskException {
        endAppend();
        digest = newDigest();
        length = 0;
        broken = false;
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw DiskException.of("delete", path, e);
        }
    }

    /** The hash of the bytes so far, lower-case hex. */
    String sha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }

    /** Flushes the part to disk and renames it to {@code target} in one step. */
    void commitTo(Path target) throws DiskException {
        endAppend();
        try {
            // FileDescriptor.sync, unlike FileChannel.force, cannot be cut short by an interrupt:
            // a stop arriving now must not turn a verified file into a failed job
            try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
                file.getFD().sync();
            }
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
