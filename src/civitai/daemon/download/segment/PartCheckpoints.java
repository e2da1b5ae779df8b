package civitai.daemon.download.segment;

import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.store.journal.RangeJournal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When a segmented attempt makes its part durable and says so: the journal is written twenty
 * times a second with what is written so far (a killed process leaves those bytes in the page
 * cache: only a reboot loses them, see {@link RangeJournal}), and the part is fsynced twice a
 * second, which makes the claims durable.
 * <p>
 * The records are made by a thread of their own, not by the writing connections: a host that
 * sends in bursts (nginx's {@code limit_rate} sends a second's worth at once) leaves a connection
 * idle right after its last write, and a record due then would wait for the next burst, a second
 * later; a kill meanwhile lost the burst. The fsync stays with the writers (whichever gets there
 * first): each flushes little, so it stalls its connection only briefly, and it never holds up
 * the records. Thread-safe, records made in the order {@link #record} describes.
 */
public final class PartCheckpoints {
    private static final long RECORD_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long SYNC_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RangeJournal journal;
    private final long jobId;
    private final PartFile part;
    private final SegmentPlan<?> plan;
    private final ReentrantLock syncLock = new ReentrantLock();
    private volatile long lastSyncNanos = System.nanoTime();
    private volatile boolean unrecorded;          // bytes written or synced since the last record
    private volatile boolean recording;
    private volatile RuntimeException recordFailed;  // the recorder's, for the next writer to throw
    private volatile boolean syncFailed;  // then written bytes may be gone: only synced ones count
    private Thread recorder;

    public PartCheckpoints(RangeJournal journal, long jobId, PartFile part, SegmentPlan<?> plan) {
        this.journal = journal;
        this.jobId = jobId;
        this.part = part;
        this.plan = plan;
    }

    /** Starts the recorder; {@link #stop} ends it. */
    public void start() {
        recording = true;
        recorder = Thread.ofVirtual().name("job-" + jobId + "-journal")
                .start(this::recordWhileRunning);
    }

    private void recordWhileRunning() {
        while (recording) {
            LockSupport.parkNanos(RECORD_EVERY_NANOS);
            if (unrecorded && recording) {
                try {
                    record();
                } catch (RuntimeException e) {
                    // the database failed: the connections end the attempt
                    recordFailed = e;
                    return;
                }
            }
        }
    }

    /** Ends the recorder, after the record it is making. */
    public void stop() {
        recording = false;
        Thread r = recorder;
        if (r == null) {
            return;
        }
        LockSupport.unpark(r);
        boolean interrupted = false;
        while (r.isAlive()) {
            try {
                r.join();
            } catch (InterruptedException e) {
                interrupted = true;  // the record in progress is a short transaction: wait for it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** After bytes were written: an fsync when one is due; the recorder notes the bytes. */
    public void maybe() throws DiskException {
        unrecorded = true;
        RuntimeException failed = recordFailed;
        if (failed != null) {
            throw failed;
        }
        if (System.nanoTime() - lastSyncNanos >= SYNC_EVERY_NANOS && syncLock.tryLock()) {
            try {
                sync();
            } finally {
                syncLock.unlock();
            }
        }
    }

    private void sync() throws DiskException {
        // taken before the fsync: these bytes are in it
        Map<Segment, Long> positions = plan.positions();
        try {
            part.force();
        } catch (DiskException e) {
            // Linux may drop the dirty pages of a failed fsync, and a later fsync still succeeds
            syncFailed = true;
            throw e;
        }
        plan.synced(positions);
        lastSyncNanos = System.nanoTime();
        unrecorded = true;  // the durable claims go in with the next record
    }

    /**
     * At the end of an unfinished attempt: fsync and record now, so what it got stays for the next
     * one.
     */
    public void finalQuietly() {
        stop();
        syncLock.lock();
        try {
            sync();
        } catch (DiskException e) {
            // the record below claims only what earlier fsyncs made durable
        } finally {
            syncLock.unlock();
        }
        record();
    }

    /**
     * Records what the part holds: the fsynced ranges as durable, the rest as written during this
     * boot. One record at a time, by order rather than a lock: the attempt's first before
     * {@link #start}, the recorder's until {@link #stop} has joined it, then the final one.
     */
    public void record() {
        unrecorded = false;  // before the snapshot: a write after it marks the journal behind again
        journal.record(jobId, plan.syncedRanges(), syncFailed ? Map.of() : plan.unsyncedRanges());
    }
}
