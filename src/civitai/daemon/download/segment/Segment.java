package civitai.daemon.download.segment;

/**
 * A byte range of the file that one connection at a time fills, front to back: {@code [start,
 * done)} is written, {@code [done, end)} is still to come, {@code [start, synced)} is on disk.
 * Another connection may take the back half of what is left ({@link #split}); the writer sees the
 * new end before its next piece, so no byte is written twice. Thread-safe.
 */
public final class Segment {
    public final long start;
    private long done;
    private long end;
    private long synced;
    private long firstWriteNanos;  // 0 until the writer's first bytes
    private long doneAtFirstWrite;

    public Segment(long start, long end) {
        this.start = start;
        this.done = start;
        this.synced = start;
        this.end = end;
    }

    /**
     * Claims up to {@code want} next bytes for the writer: how many it may write at
     * {@link #done()}.
     */
    public synchronized int claim(int want) {
        return (int) Math.max(0, Math.min(want, end - done));
    }

    /** The writer wrote {@code n} claimed bytes. */
    public synchronized void wrote(int n) {
        if (firstWriteNanos == 0) {
            firstWriteNanos = System.nanoTime();
            doneAtFirstWrite = done;
        }
        done += n;
    }

    /**
     * How long the writer needs for what is left at its speed so far, in nanoseconds; -1 while
     * it has written nothing or for less than {@code measureNanos} (no speed to go by yet).
     */
    public synchronized long nanosLeft(long now, long measureNanos) {
        long elapsed = now - firstWriteNanos;
        if (firstWriteNanos == 0 || elapsed < measureNanos) {
            return -1;
        }
        return (long) ((end - done) * ((double) elapsed / (done - doneAtFirstWrite)));
    }

    public synchronized long done() {
        return done;
    }

    public synchronized long end() {
        return end;
    }

    public synchronized long remaining() {
        return end - done;
    }

    public synchronized boolean finished() {
        return done >= end;
    }

    /** Everything up to {@code upTo} is fsynced. */
    public synchronized void synced(long upTo) {
        synced = Math.max(synced, Math.min(upTo, done));
    }

    /** {@code [start, synced)}: the part of this segment the journal may claim. */
    public synchronized long syncedEnd() {
        return synced;
    }

    /**
     * Gives the back half of what is left to a new segment when at least {@code 2 × min} bytes
     * are left; returns null otherwise. The caller must hold no other segment's lock.
     */
    public synchronized Segment split(long min) {
        long left = end - done;
        if (left < 2 * min) {
            return null;
        }
        long middle = done + left / 2;
        Segment back = new Segment(middle, end);
        end = middle;
        return back;
    }

    /**
     * Ends this segment at {@code at}; the rest becomes a new segment (null when nothing is left to
     * cut).
     */
    public synchronized Segment cut(long at) {
        if (at <= done || at >= end) {
            return null;
        }
        Segment back = new Segment(at, end);
        end = at;
        return back;
    }

    @Override
    public synchronized String toString() {
        return "[" + start + ", " + done + ", " + end + ")";
    }
}
