package civitai.daemon.download.part;

import civitai.daemon.store.journal.RangeJournal;
import java.util.Map;

/**
 * Whether the range journal describes a job's part: the part of a segmented download has holes,
 * so only the journal says which bytes it holds, and its length proves nothing. One rule for when
 * a recorded journal may be trusted ({@link #trusts}), one way to start describing the part and
 * one to stop. Owned by the job's attempt thread, like the part.
 */
public final class JournalClaim {
    private final RangeJournal journal;
    private final long jobId;
    private boolean describes;

    public JournalClaim(RangeJournal journal, long jobId) {
        this.journal = journal;
        this.jobId = jobId;
    }

    /**
     * A recorded journal describes the part when the file's size and validator are known (a
     * resume needs both) and the part is at least as long as the last byte the journal claims.
     */
    public static boolean trusts(Map<Long, Long> ranges, long partSize, Long total,
            String validator) {
        long claimed = ranges.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return !ranges.isEmpty() && total != null && validator != null && partSize >= claimed;
    }

    /** The ranges recorded for the job, start to end, merged. */
    public Map<Long, Long> recorded() {
        return journal.ranges(jobId);
    }

    /** True while the journal, not the part's length, says what the part holds. */
    public boolean describes() {
        return describes;
    }

    /** A segmented attempt writes the part: from now on the journal describes it. */
    public void adopt() {
        describes = true;
    }

    /** The part is one prefix again (or gone): the recorded ranges are forgotten. */
    public void forget() {
        journal.clear(jobId);
        describes = false;
    }
}
