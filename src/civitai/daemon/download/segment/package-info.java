/**
 * The state of one segmented attempt, without the HTTP: a byte
 * {@link civitai.daemon.download.segment.Segment} one connection writes, the shared
 * {@link civitai.daemon.download.segment.SegmentPlan} (waiting segments, work stealing, how many
 * connections may run, the first reason to end), the copy of a ranged body into the part
 * ({@link civitai.daemon.download.segment.RangeTransfer}) and the journal checkpoints of what is on
 * disk ({@link civitai.daemon.download.segment.PartCheckpoints}). Imports {@code download.fetch},
 * {@code download.part} and {@code store}, nothing of the engine: the engine drives it.
 */
package civitai.daemon.download.segment;
