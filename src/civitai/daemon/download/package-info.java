/**
 * The download engine, knowing nothing of Civitai. This package is the queue:
 * {@link civitai.daemon.download.DownloadQueue} takes jobs in and answers status queries,
 * {@code Dispatcher} starts queued jobs and settles each after its attempt, {@code JobControl} is
 * the pause/resume/cancel/retry state machine and the supersede rule, {@code SpaceWait} parks a
 * job that would not fit. One attempt is {@code download.attempt} ({@code Downloader}, recorded by
 * {@code AttemptRecorder}), stopped and retried as {@code download.retry} says (its watchdog, what
 * an answer means, the backoff); it reads each answer through {@code download.fetch}'s classifier,
 * copies byte ranges into the part ({@code download.part}), over one connection or in segments
 * ({@code download.segment}) that steal work at the tail; the rules an attempt is judged by (its
 * outcome, the size it may have, the space it may take) are {@code download.rules}. Lower packages
 * never import higher ones: rules ← part ← fetch.host ← fetch ← segment, retry ← attempt ← this
 * package. What the engine must know of hosts comes in through {@code download.fetch.host}'s
 * interfaces (which host gets which credential, a per-host rate limit) and
 * {@code download.fetch}'s refusal reader (a host's own wording of a refusal), which the
 * composition root wires.
 */
package civitai.daemon.download;
