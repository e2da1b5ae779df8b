package civitai.daemon.events;

import java.time.Duration;
import java.time.Instant;

/**
 * Something that happened: to a job ({@link OfJob}), to a manifest model the update checker
 * looked at, or to the library's scan. A closed family: consumers switch over it exhaustively, so a
 * new event is a compile error wherever it is not handled yet.
 */
public sealed interface Event {
    /** Every event's name on the wire (SSE) and in logs: one per record, in the page's order. */
    enum Kind {
        JOB_QUEUED("job.queued"), JOB_STARTED("job.started"), JOB_PROGRESS("job.progress"),
        JOB_RETRYING("job.retrying"), JOB_VERIFYING("job.verifying"),
        JOB_COMPLETED("job.completed"), JOB_FAILED("job.failed"), JOB_CANCELLED("job.cancelled"),
        JOB_PAUSED("job.paused"), JOB_WAITING_SPACE("job.waiting_space"),
        JOB_SUPERSEDED("job.superseded"), MODEL_UPDATE("model.update"),
        MODEL_UPDATE_ERROR("model.update.error"), LIBRARY_SCAN_PROGRESS("library.scan.progress"),
        LIBRARY_SCAN_FINISHED("library.scan.finished");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        /** e.g. {@code job.completed}. */
        public String wire() {
            return wire;
        }
    }

    default Kind kind() {
        return switch (this) {
            case Queued q -> Kind.JOB_QUEUED;
            case Started s -> Kind.JOB_STARTED;
            case Progress p -> Kind.JOB_PROGRESS;
            case Retrying r -> Kind.JOB_RETRYING;
            case Verifying v -> Kind.JOB_VERIFYING;
            case Completed c -> Kind.JOB_COMPLETED;
            case Failed f -> Kind.JOB_FAILED;
            case Cancelled c -> Kind.JOB_CANCELLED;
            case Paused p -> Kind.JOB_PAUSED;
            case WaitingSpace w -> Kind.JOB_WAITING_SPACE;
            case Superseded s -> Kind.JOB_SUPERSEDED;
            case ModelUpdate u -> Kind.MODEL_UPDATE;
            case ModelUpdateError e -> Kind.MODEL_UPDATE_ERROR;
            case ScanProgress p -> Kind.LIBRARY_SCAN_PROGRESS;
            case ScanFinished f -> Kind.LIBRARY_SCAN_FINISHED;
        };
    }

    /** The event's name on the wire and in logs, e.g. {@code job.completed}. */
    default String name() {
        return kind().wire();
    }

    /** An event of one job. */
    sealed interface OfJob extends Event {
        long jobId();
    }

    record Queued(long jobId, String target, String url) implements OfJob {}

    /** An attempt began; {@code offset} &gt; 0 means it resumes a part. */
    record Started(long jobId, int attempt, long offset, String host) implements OfJob {}

    /**
     * {@code total} and {@code etaSeconds} are null when the size is unknown; {@code connections}
     * fetch it now (more than one for a segmented download).
     */
    record Progress(long jobId, long bytes, Long total, long bytesPerSecond, Long etaSeconds,
            int connections) implements OfJob {}

    record Retrying(long jobId, int attempt, String reason, Duration delay) implements OfJob {}

    record Verifying(long jobId) implements OfJob {}

    record Completed(long jobId, String path, String sha256, long bytes, Duration took,
            boolean downloaded) implements OfJob {}

    /**
     * {@code reason} is a short code ({@code hash_mismatch}, {@code http_404}); message is for
     * people.
     */
    record Failed(long jobId, String reason, String message) implements OfJob {}

    record Cancelled(long jobId) implements OfJob {}

    record Paused(long jobId) implements OfJob {}

    /**
     * A queued job of known size would leave less than {@code min_free_space} free: it waits,
     * and is queued again ({@link Queued}) once it fits. {@code message} says what it needs and
     * what is free.
     */
    record WaitingSpace(long jobId, String message) implements OfJob {}

    /** A newer job ({@code byJobId}) took over this job's target; this one stops here. */
    record Superseded(long jobId, long byJobId) implements OfJob {}

    /**
     * Where a manifest file comes from, as the update checker saw it: {@code source} on the wire.
     */
    sealed interface Origin {
        String source();
    }

    /** A Civitai model's version; strings are empty when Civitai did not say. */
    record CivitaiVersion(long modelId, long versionId, String updatedAt,
            String modelName) implements Origin {
        /** A model whose check failed: no version is known. */
        public CivitaiVersion(long modelId) {
            this(modelId, 0, "", "");
        }

        @Override
        public String source() {
            return "civitai";
        }
    }

    /** A file in a Hub repo asked at {@code revision} (a branch), found at {@code commit}. */
    record HubFile(String repo, String path, String revision, String commit) implements Origin {
        /** A file whose check failed: no commit is known. */
        public HubFile(String repo, String path, String revision) {
            this(repo, path, revision, "");
        }

        @Override
        public String source() {
            return "huggingface";
        }
    }

    /**
     * The update checker found a newer version (or a re-upload) of a manifest model, or a new
     * SHA-256 at a Hub branch's head; {@code at} is when, by the checker's clock.
     */
    record ModelUpdate(Instant at, Origin origin, String sha256,
            String filename) implements Event {}

    /** The update checker could not check one model or Hub file; the others go on. */
    record ModelUpdateError(Instant at, Origin origin, String error) implements Event {}

    /**
     * A library scan moved on: of the files it has to hash (new or changed), how many files and
     * bytes are done, at what rate; {@code etaSeconds} null while the rate is unknown.
     */
    record ScanProgress(long filesDone, long filesTotal, long bytesDone, long bytesTotal,
            long bytesPerSecond, Long etaSeconds) implements Event {}

    /**
     * A library scan ended: {@code files} present, {@code hashed} of them hashed this time,
     * {@code missing} gone since, {@code skipped} paths refused (links out of the roots, loops).
     */
    record ScanFinished(long files, long hashed, long missing, long skipped, boolean cancelled,
            Duration took) implements Event {}
}
