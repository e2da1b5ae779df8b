package civitai.daemon.download.part;

import civitai.daemon.store.journal.ByteRanges;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SHA-256 of a part in file order while its ranges arrive in any order, on a thread of its own.
 * Bytes written exactly at the end of the contiguous prefix are hashed from the writer's own
 * buffer (no read); bytes written ahead of it are remembered as ranges and read back once the
 * prefix reaches them, moments after they were written (from the page cache, not a second pass
 * over the file at the end). Writers call {@link #written} after their bytes are in the file, so
 * a hashed byte is always a written byte. Thread-safe.
 */
final class InOrderHasher {
    static final int BUFFER_SIZE = 256 * 1024;

    /** Reads bytes back from the file; called on the hasher's thread. */
    interface SpanReader {
        void read(long position, ByteBuffer into) throws IOException;
    }

    private sealed interface Work {}

    private record Chunk(byte[] bytes, int length) implements Work {}

    private record Span(long start, long end) implements Work {}

    private record End() implements Work {}

    private final MessageDigest digest;
    private final SpanReader reader;
    private final BufferBudget budget;
    // its chunks are bounded by the budget
    private final BlockingQueue<Work> pending = new LinkedBlockingQueue<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteRanges ahead = new ByteRanges();       // guarded by lock
    private long queuedEnd;                                      // guarded by lock
    private volatile long hashedEnd;
    private volatile IOException failure;
    private Thread thread;                                       // guarded by lock

    /**
     * Continues from {@code digest}, which holds the hash of the first {@code prefix} bytes;
     * writers' buffers come from {@code budget}, shared with every other part.
     */
    InOrderHasher(MessageDigest digest, long prefix, BufferBudget budget, SpanReader reader) {
        this.digest = digest;
        this.reader = reader;
        this.queuedEnd = prefix;
        this.hashedEnd = prefix;
        this.budget = budget;
    }

    /**
     * A buffer to fill and write; blocks while the budget's buffers are all being filled or hashed.
     */
    byte[] buffer() throws InterruptedException {
        return budget.take();
    }

    /** Gives back a buffer that was not written after all. */
    void recycle(byte[] bytes) {
        budget.give(bytes);
    }

    /** The first {@code length} bytes of {@code bytes} are now in the file at {@code position}. */
    void written(long position, byte[] bytes, int length) {
        lock.lock();
        try {
            if (position == queuedEnd) {
                ensureRunning();
                putUninterruptibly(new Chunk(bytes, length));
                queuedEnd += length;
                drainAhead();
                return;
            }
            remember(position, position + length);
        } finally {
            lock.unlock();
        }
        budget.give(bytes);
    }

    /** A range already in the file (from the journal of an earlier run). */
    void written(long start, long end) {
        lock.lock();
        try {
            remember(start, end);
        } finally {
            lock.unlock();
        }
    }

    /** Forgets the ranges beyond the prefix (their bytes will be fetched again). */
    void forgetAhead() {
        lock.lock();
        try {
            ahead.clear();
        } finally {
            lock.unlock();
        }
    }

    /** The end of the contiguous prefix: every byte below it is written. */
    long prefix() {
        lock.lock();
        try {
            return queuedEnd;
        } finally {
            lock.unlock();
        }
    }

    /** Every byte written so far, contiguous or not. */
    long writtenBytes() {
        lock.lock();
        try {
            return queuedEnd + ahead.bytes();
        } finally {
            lock.unlock();
        }
    }

    /** The written ranges beyond the prefix, in file order (a copy). */
    Map<Long, Long> ahead() {
        lock.lock();
        try {
            return ahead.asMap();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every byte of the prefix is hashed and stops the hashing thread (the next
     * write starts it again); then the hex SHA-256 of the prefix. Not cut short by an interrupt.
     */
    String settle() throws IOException {
        Thread t;
        lock.lock();
        try {
            t = thread;
            thread = null;
            if (t != null) {
                putUninterruptibly(new End());
            }
        } finally {
            lock.unlock();
        }
        joinUninterruptibly(t);
        if (failure != null) {
            throw failure;
        }
        try {
            return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
        }
    }

    private void remember(long start, long end) {
        if (end <= queuedEnd) {
            return;
        }
        start = Math.max(start, queuedEnd);
        ahead.add(start, end);
        drainAhead();
    }

    /** Moves ranges that now touch the prefix to the hashing thread; called under the lock. */
    private void drainAhead() {
        for (var first = ahead.pollFirstFrom(queuedEnd); first != null; first =
                ahead.pollFirstFrom(queuedEnd)) {
            if (first.getValue() > queuedEnd) {
                ensureRunning();
                putUninterruptibly(new Span(queuedEnd, first.getValue()));
                queuedEnd = first.getValue();
            }
        }
    }

    private void ensureRunning() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("sha256").start(this::hashUntilEnd);
        }
    }

    private void putUninterruptibly(Work work) {
        boolean interrupted = false;
        while (true) {
            try {
                pending.put(work);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (t != null && t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hashes the work in order until End. Whatever goes wrong, every chunk's buffer goes back to
     * the budget, which all downloads share; after a failure the work is drained unhashed and
     * settle() reports it.
     */
    private void hashUntilEnd() {
        ByteBuffer readBuffer = null;
        while (true) {
            Work work;
            try {
                work = pending.take();
            } catch (InterruptedException e) {
                continue;  // nobody interrupts the hasher; settle() ends it with End
            }
            try {
                switch (work) {
                    case End e -> {
                        return;
                    }
                    case Chunk c -> {
                        try {
                            if (failure == null) {
                                digest.update(c.bytes(), 0, c.length());
                                hashedEnd += c.length();
                            }
                        } finally {
                            budget.give(c.bytes());
                        }
                    }
                    case Span s -> {
                        if (failure == null) {
                            // its own, not the budget's: chunks queued behind this span hold those
                            if (readBuffer == null) {
                                readBuffer = ByteBuffer.allocate(BUFFER_SIZE);
                            }
                            hashSpan(s, readBuffer);
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = new IOException("hashing the part failed: " + e, e);
                }
            }
        }
    }

    private void hashSpan(Span s, ByteBuffer buffer) {
        for (long at = s.start(); at < s.end() && failure == null; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), s.end() - at));
            try {
                reader.read(at, buffer);
            } catch (IOException e) {
                failure = e;  // the part cannot be trusted; settle() reports it
                return;
            }
            buffer.flip();
            digest.update(buffer.array(), 0, buffer.limit());
            at += buffer.limit();
            hashedEnd = at;
        }
    }
}
