package civitai.daemon.download;

import civitai.daemon.store.RangeJournal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * When a segmented attempt makes its part durable and says so: the journal is written twenty
 * times a second with what is written so far (a killed process leaves those bytes in the page
 * cache: only a reboot loses them, see {@link RangeJournal}), and the part is fsynced twice a
 * second, which makes the claims durable. Each sync flushes little, so it stalls its connection
 * only briefly; a record is one small SQLite transaction. Called by whichever connection gets
 * there first; fsync and record have a lock each, so a slow fsync (many downloads writing at once)
 * never holds up the records of what the other connections write meanwhile. Thread-safe.
 */
final class PartCheckpoints {
    private static final long RECORD_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long SYNC_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final RangeJournal journal;
    private final long jobId;
    private final PartFile part;
    private final SegmentPlan plan;
    private final ReentrantLock syncLock = new ReentrantLock();
    private final ReentrantLock recordLock = new ReentrantLock();
    private volatile long lastSyncNanos = System.nanoTime();
    private volatile long lastRecordNanos = System.nanoTime();

    PartCheckpoints(RangeJournal journal, long jobId, PartFile part, SegmentPlan plan) {
        this.journal = journal;
        this.jobId = jobId;
        this.part = part;
        this.plan = plan;
    }

    /** After bytes were written: an fsync and a record when each is due. */
    void maybe() throws DiskException {
        if (System.nanoTime() - lastSyncNanos >= SYNC_EVERY_NANOS && syncLock.tryLock()) {
            try {
                Map<Segment, Long> positions = plan.positions();  // taken before the fsync: these bytes are in it
                part.force();
                plan.synced(positions);
                lastSyncNanos = System.nanoTime();
                lastRecordNanos = 0;  // the durable claims go in at once
            } finally {
                syncLock.unlock();
            }
        }
        if (System.nanoTime() - lastRecordNanos >= RECORD_EVERY_NANOS && recordLock.tryLock()) {
            try {
                record();
                lastRecordNanos = System.nanoTime();
            } finally {
                recordLock.unlock();
            }
        }
    }

    /** At the end of an unfinished attempt: fsync and record now, so what it got stays for the next one. */
    void finalQuietly() {
        lastSyncNanos = 0;
        lastRecordNanos = 0;
        try {
            maybe();
        } catch (DiskException e) {
            // the journal keeps its last state; the next attempt refetches the rest
        }
    }

    /** Records what the part holds: the fsynced ranges as durable, the rest as written during this boot. */
    void record() {
        journal.record(jobId, plan.syncedRanges(), plan.unsyncedRanges());
    }
}
