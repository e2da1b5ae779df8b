package civitai.daemon.store.jobs;

import java.time.Instant;

/**
 * What a job write does to the {@link Job} a read returns, for the writes the database holds
 * back while it cannot write ({@link HeldWrites}): each mirrors one UPDATE in {@link JobStore}.
 * Pure functions.
 */
final class JobChanges {
    private JobChanges() {}

    static Job state(Job j, JobState state) {
        return with(j, state, j.bytesDone(), j.totalBytes(), j.targetPath(), j.sha256(),
                j.failureReason(), j.lastError(), j.validator(), j.finishedAt(), j.durationMs(),
                j.fromLibrary());
    }

    static Job progress(Job j, long bytesDone, Long total, String validator) {
        return with(j, j.state(), bytesDone, total != null ? total : j.totalBytes(), j.targetPath(),
                j.sha256(), j.failureReason(), j.lastError(), validator, j.finishedAt(),
                j.durationMs(), j.fromLibrary());
    }

    static Job target(Job j, String targetPath) {
        return with(j, j.state(), j.bytesDone(), j.totalBytes(), targetPath, j.sha256(),
                j.failureReason(), j.lastError(), j.validator(), j.finishedAt(), j.durationMs(),
                j.fromLibrary());
    }

    static Job retrying(Job j, String reason) {
        return with(j, JobState.QUEUED, j.bytesDone(), j.totalBytes(), j.targetPath(), j.sha256(),
                j.failureReason(), reason, j.validator(), j.finishedAt(), j.durationMs(),
                j.fromLibrary());
    }

    static Job failed(Job j, String reason, String message, Instant at) {
        return with(j, JobState.FAILED, j.bytesDone(), j.totalBytes(), j.targetPath(), j.sha256(),
                reason, message, j.validator(), at, j.durationMs(), j.fromLibrary());
    }

    static Job completed(Job j, String targetPath, String sha256, long bytes, Instant at,
            long durationMs, String fromLibrary) {
        return with(j, JobState.COMPLETED, bytes, bytes, targetPath, sha256, null, j.lastError(),
                null, at, durationMs, fromLibrary);
    }

    private static Job with(Job j, JobState state, long bytesDone, Long total, String targetPath,
            String sha256, String failureReason, String lastError, String validator,
            Instant finishedAt, Long durationMs, String fromLibrary) {
        return new Job(j.id(), j.spec(), state, j.attempts(), j.attemptsBeforeRetry(), bytesDone,
                total, targetPath, sha256, failureReason, lastError, validator, j.createdAt(),
                j.startedAt(), finishedAt, durationMs, fromLibrary);
    }
}
