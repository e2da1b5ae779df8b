package civitai.daemon.download;

import civitai.daemon.store.jobs.JobState;

/** A job control that does not fit the job's state, e.g. resuming a completed job. */
public final class JobConflict extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient JobState current;

    JobConflict(long jobId, String action, JobState current) {
        this(jobId, action, current, "it is " + current.key());
    }

    /** @param why the reason, for the person who asked */
    JobConflict(long jobId, String action, JobState current, String why) {
        super("cannot " + action + " job " + jobId + ": " + why);
        this.current = current;
    }

    public JobState current() {
        return current;
    }
}
