/**
 * The download engine, knowing nothing of Civitai: {@link civitai.daemon.download.DownloadQueue}
 * dispatches queued jobs, {@code JobControl} is the pause/resume/cancel/retry state machine and the
 * supersede rule, the {@link civitai.daemon.download.RetryPolicy} says when to try again. One
 * attempt ({@link civitai.daemon.download.Downloader}, recorded by {@code AttemptRecorder}) reads
 * each answer through {@code download.fetch}'s classifier, copies byte ranges into the part
 * ({@code download.part}), over one connection or in segments that steal work at the tail, and
 * {@link civitai.daemon.download.Placement} alone moves a verified file into place. What the
 * engine must know of hosts comes in through {@code download.fetch}'s interfaces (which host gets
 * which credential, a per-host rate limit, a host's own wording of a refusal), which the
 * composition root wires.
 */
package civitai.daemon.download;
