package civitai.daemon.store.jobs;

import java.time.Instant;

/**
 * One job as stored: its spec and where it stands. An immutable snapshot.
 *
 * @param attempts      attempts made, over the job's whole life
 * @param attemptsBeforeRetry attempts made before the last manual retry (the retry budget
 *                      counts from there)
 * @param bytesDone     bytes in the .part (or the final file) at the last save
 * @param totalBytes    the file's size once a server said it, else null
 * @param targetPath    the final path once known
 * @param sha256        the computed hash once verified
 * @param failureReason a short code such as {@code hash_mismatch}, {@code http_404}
 * @param lastError     the human-readable reason of the last failure or retry
 * @param validator     the ETag or Last-Modified the .part was downloaded under
 */
public record Job(
        long id,
        JobSpec spec,
        JobState state,
        int attempts,
        int attemptsBeforeRetry,
        long bytesDone,
        Long totalBytes,
        String targetPath,
        String sha256,
        String failureReason,
        String lastError,
        String validator,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        String fromLibrary) {

    /** Attempts since the job was last queued by hand: what the retry budget is checked against. */
    public int attemptsThisRound() {
        return attempts - attemptsBeforeRetry;
    }
}
