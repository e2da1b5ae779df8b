/**
 * One attempt at one job: {@link civitai.daemon.download.attempt.Downloader} over a single
 * connection or in segments; the job as the queue holds it ({@code QueuedJob}: its identity and
 * progress) and, out of the queue's reach, what its attempts carry from one to the next
 * ({@code AttemptState}: the part, the signed URL, the validator); the watchdog and guard that stop a stalled
 * one, the journal of a segmented part, what an answer means for retrying
 * ({@code ResponseCheck}, {@code RetryPolicy}), and {@code AttemptRecorder}, which writes the
 * outcome to the store. Imports the lower engine packages, never the queue.
 */
package civitai.daemon.download.attempt;
