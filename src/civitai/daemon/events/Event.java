package civitai.daemon.events;

import java.time.Duration;

/**
 * Something that happened to a job, or to the library's scan. A closed family: consumers switch
 * over it exhaustively.
 */
public sealed interface Event {
    /** The job's id; 0 for an event of the library, which belongs to no job. */
    long jobId();

    /** The event's name on the wire and in logs, e.g. {@code job.completed}. */
    default String name() {
        return switch (this) {
            case Queued q -> "job.queued";
            case Started s -> "job.started";
            case Progress p -> "job.progress";
            case Retrying r -> "job.retrying";
            case Verifying v -> "job.verifying";
            case Completed c -> "job.completed";
            case Failed f -> "job.failed";
            case Cancelled c -> "job.cancelled";
            case Paused p -> "job.paused";
            case Superseded s -> "job.superseded";
            case ScanProgress p -> "library.scan.progress";
            case ScanFinished f -> "library.scan.finished";
        };
    }

    record Queued(long jobId, String target, String url) implements Event {}

    /** An attempt began; {@code offset} &gt; 0 means it resumes a part. */
    record Started(long jobId, int attempt, long offset, String host) implements Event {}

    /**
     * {@code total} and {@code etaSeconds} are null when the size is unknown; {@code connections}
     * fetch it now (more than one for a segmented download).
     */
    record Progress(long jobId, long bytes, Long total, long bytesPerSecond, Long etaSeconds, int connections)
            implements Event {}

    record Retrying(long jobId, int attempt, String reason, Duration delay) implements Event {}

    record Verifying(long jobId) implements Event {}

    record Completed(long jobId, String path, String sha256, long bytes, Duration took, boolean downloaded)
            implements Event {}

    /** {@code reason} is a short code ({@code hash_mismatch}, {@code http_404}); message is for people. */
    record Failed(long jobId, String reason, String message) implements Event {}

    record Cancelled(long jobId) implements Event {}

    record Paused(long jobId) implements Event {}

    /** A newer job ({@code byJobId}) took over this job's target; this one stops here. */
    record Superseded(long jobId, long byJobId) implements Event {}

    /**
     * A library scan moved on: of the files it has to hash (new or changed), how many files and
     * bytes are done, at what rate; {@code etaSeconds} null while the rate is unknown.
     */
    record ScanProgress(long filesDone, long filesTotal, long bytesDone, long bytesTotal, long bytesPerSecond,
            Long etaSeconds) implements Event {
        @Override
        public long jobId() {
            return 0;
        }
    }

    /**
     * A library scan ended: {@code files} present, {@code hashed} of them hashed this time,
     * {@code missing} gone since, {@code skipped} paths refused (links out of the roots, loops).
     */
    record ScanFinished(long files, long hashed, long missing, long skipped, boolean cancelled, Duration took)
            implements Event {
        @Override
        public long jobId() {
            return 0;
        }
    }
}
