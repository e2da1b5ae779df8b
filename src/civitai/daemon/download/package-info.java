/**
 * The download engine, knowing nothing of Civitai. {@link civitai.daemon.download.DownloadQueue}
 * dispatches queued jobs and {@code JobControl} is the pause/resume/cancel/retry state machine; one
 * attempt ({@link civitai.daemon.download.Downloader}) opens an answer, which one pure
 * {@code AnswerClassifier} reads for every path (one connection, a segmented resume, each
 * segment), copies a byte range into the part ({@code RangeTransfer}), and
 * {@code PartFile} takes positional writes while an in-order hasher follows the contiguous
 * prefix; {@link civitai.daemon.download.Placement} alone moves a verified file into place. Hosts
 * the engine must be polite to, and refusals worded in a host's own terms, come in through the
 * interfaces it owns ({@link civitai.daemon.download.HostCredentials} (which host gets which
 * header), {@link civitai.daemon.download.HostGate} (a per-host rate limit),
 * {@link civitai.daemon.download.RefusalReader}), which the composition root wires.
 */
package civitai.daemon.download;

import civitai.daemon.download.part.PartFile;
