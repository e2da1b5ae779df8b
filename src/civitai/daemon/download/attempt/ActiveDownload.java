package civitai.daemon.download.attempt;

/**
 * A running job as status queries see it.
 *
 * @param total      null while the size is unknown
 * @param etaSeconds null while it cannot be estimated
 * @param connections the connections fetching it now (more than one for a segmented download)
 */
public record ActiveDownload(long jobId, String modelType, String filename, long bytes, Long total,
        long bytesPerSecond, Long etaSeconds, int connections) {

    public static ActiveDownload of(QueuedJob job) {
        long bytes = job.bytes();
        Long total = job.total();
        long speed = job.speed().bytesPerSecond();
        Long eta = total != null && speed > 0 ? Math.max(0, (total - bytes) / speed) : null;
        return new ActiveDownload(job.jobId(), job.spec().modelType(), job.filename(), bytes, total,
                speed, eta, job.connections());
    }
}
