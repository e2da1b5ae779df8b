package civitai.daemon.download.part;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The memory every download together may hold in transfer buffers, so the heap bound holds
 * whatever {@code workers}, {@code connections_per_download} and the number of hosts add up to
 * (8 downloads of 4 connections each once exhausted a 64 MiB heap). Two kinds, each counted in
 * buffers of {@link InOrderHasher#BUFFER_SIZE}:
 * <ul>
 * <li>hash buffers, which carry written bytes to a part's hasher: lent up to a fixed number, and
 * a writer waits for one when all are out (the hashers always give theirs back, so it is a pause,
 * never a deadlock);
 * <li>read-ahead, the client's buffers a connection asks for before it needs them: each
 * connection may always have one (so every connection progresses), more only while the shared
 * allowance lasts.
 * </ul>
 * Thread-safe.
 */
public final class BufferBudget {
    private final int hashBuffers;
    private final int readAhead;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();  // guarded by lock
    private int lent;                                             // guarded by lock
    private int mostLent;                                         // guarded by lock
    private int readAheadTaken;                                   // guarded by lock

    /**
     * @param hashBuffers the most hash buffers lent at once (at least 1)
     * @param readAhead   the read-ahead buffers shared beyond each connection's first
     */
    public BufferBudget(int hashBuffers, int readAhead) {
        if (hashBuffers < 1 || readAhead < 0) {
            throw new IllegalArgumentException("a budget of " + hashBuffers + " hash buffers and "
                    + readAhead + " read-ahead buffers");
        }
        this.hashBuffers = hashBuffers;
        this.readAhead = readAhead;
    }

    /** The daemon's budget: 6 MiB of hash buffers and 6 MiB of shared read-ahead. */
    public static BufferBudget standard() {
        return new BufferBudget(24, 24);
    }

    /**
     * The HTTP client's socket buffer size for up to {@code connections} connections at once. It
     * reads 16 KiB at a time by default; 256 KiB costs the fewest CPU seconds per byte (64 KiB
     * took 15 % longer for 1 GiB in bench/), but each connection holds about two of them outside
     * any budget, so many connections get smaller ones: 4 MiB in all, 64 KiB at least.
     */
    public static int clientBufferSize(int connections) {
        int size = Integer.highestOneBit((4 << 20) / Math.max(1, connections));
        return Math.clamp(size, 64 << 10, 256 << 10);
    }

    /** A hash buffer; waits while every one is lent. Allocated on first use, then reused. */
    public byte[] take() throws InterruptedException {
        lock.lock();
        try {
            while (free.isEmpty() && lent == hashBuffers) {
                returned.await();
            }
            byte[] buffer = free.poll();
            if (buffer == null) {
                // before counting it: a failed allocation lends nothing
                buffer = new byte[InOrderHasher.BUFFER_SIZE];
            }
            lent++;
            mostLent = Math.max(mostLent, lent);
            return buffer;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a hash buffer back. */
    public void give(byte[] buffer) {
        lock.lock();
        try {
            lent--;
            free.push(buffer);
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code wanted} read-ahead buffers beyond a connection's first; none when the allowance
     * is spent.
     */
    public int takeReadAhead(int wanted) {
        lock.lock();
        try {
            int granted = Math.max(0, Math.min(wanted, readAhead - readAheadTaken));
            readAheadTaken += granted;
            return granted;
        } finally {
            lock.unlock();
        }
    }

    public void giveReadAhead(int n) {
        lock.lock();
        try {
            readAheadTaken -= n;
        } finally {
            lock.unlock();
        }
    }

    /** The most hash buffers that were lent at once. */
    public int mostLent() {
        lock.lock();
        try {
            return mostLent;
        } finally {
            lock.unlock();
        }
    }

    /** The read-ahead buffers lent now. */
    public int readAheadTaken() {
        lock.lock();
        try {
            return readAheadTaken;
        } finally {
            lock.unlock();
        }
    }
}
