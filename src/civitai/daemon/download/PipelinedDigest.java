package civitai.daemon.download;

import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * SHA-256 on a thread of its own, fed the same buffers the worker writes to disk, so hashing
 * overlaps the write instead of following it. The buffers come from a small pool, which bounds
 * the memory and makes the worker wait when the hasher falls behind. (The client's own buffers
 * are read-only, which would send the digest down a slow copying path; ours are plain arrays.)
 * Used by one worker thread; {@link #finish()} must be called before the digest is read.
 */
final class PipelinedDigest {
    static final int BUFFER_SIZE = 256 * 1024;
    private static final int BUFFERS = 4;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] bytes, int length) {}

    private final MessageDigest digest;
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Chunk> pending = new ArrayBlockingQueue<>(BUFFERS + 1);
    private final Thread hasher;

    PipelinedDigest(MessageDigest digest) {
        this.digest = digest;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[BUFFER_SIZE]);
        }
        hasher = Thread.ofVirtual().name("sha256").start(this::hashUntilEnd);
    }

    /** A buffer to fill; blocks while every buffer is still being hashed. */
    byte[] buffer() throws InterruptedException {
        return free.take();
    }

    /** Hands {@code length} bytes of a buffer from {@link #buffer()} to the hasher. */
    void hash(byte[] bytes, int length) throws InterruptedException {
        pending.put(new Chunk(bytes, length));
    }

    /** Waits until every handed-off byte is in the digest; not cut short by an interrupt. */
    void finish() {
        boolean interrupted = false;
        while (true) {
            try {
                pending.put(END);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        while (hasher.isAlive()) {
            try {
                hasher.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void hashUntilEnd() {
        while (true) {
            Chunk chunk;
            try {
                chunk = pending.take();
            } catch (InterruptedException e) {
                continue;  // nobody interrupts the hasher; finish() ends it with END
            }
            if (chunk == END) {
                return;
            }
            digest.update(chunk.bytes(), 0, chunk.length());
            free.offer(chunk.bytes());
        }
    }
}
