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

    public static ActiveDownload of(DownloadTask task) {
        long bytes = task.bytes();
        Long total = task.total;
        long speed = task.speed.bytesPerSecond();
        Long eta = total != null && speed > 0 ? Math.max(0, (total - bytes) / speed) : null;
        return new ActiveDownload(task.jobId, task.spec.modelType(), task.filename, bytes, total, speed, eta,
                task.connections);
    }
}
