package civitai.daemon.download;

/** No job has this id. */
public final class NoSuchJob extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NoSuchJob(long jobId) {
        super("no job " + jobId);
    }
}
