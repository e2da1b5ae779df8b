/**
 * One attempt at one job: {@link civitai.daemon.download.attempt.Downloader} over a single
 * connection or in segments; the job as the queue holds it ({@code QueuedJob}: its identity and
 * the progress status queries read) and, out of the queue's reach, what its attempts carry from
 * one to the next ({@code AttemptState}: the part, the signed URL, the validator); the journal of
 * a segmented part ({@code PartJournal}); how an attempt that ended in an exception ends
 * ({@code AttemptEnd}: a disk failure, a retry, or a stop that propagates), and
 * {@code AttemptRecorder}, which writes the outcome to the store. Imports the lower engine packages ({@code download.retry} for the watchdog and
 * what an answer means), never the queue.
 */
package civitai.daemon.download.attempt;
