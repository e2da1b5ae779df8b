/**
 * HTTP for the download engine: GET with redirects followed hop by hop
 * ({@link civitai.daemon.download.fetch.HttpFetch}), each hop's credential from
 * {@link civitai.daemon.download.fetch.HostCredentials}, a body read as the client's own buffers
 * ({@link civitai.daemon.download.fetch.BodyStream}); the one classifier of an answer
 * ({@link civitai.daemon.download.fetch.AnswerClassifier}, giving an
 * {@link civitai.daemon.download.fetch.Answer}) and the one wording of a refusal
 * ({@link civitai.daemon.download.fetch.PlainRefusals}, or a host's own through
 * {@link civitai.daemon.download.fetch.RefusalReader}); the per-host gate (one
 * {@link civitai.daemon.download.fetch.RateGate} per host a source names) and connection slots, the
 * bandwidth cap. Imports nothing of the engine but {@code download.part}'s buffer budget.
 */
package civitai.daemon.download.fetch;
