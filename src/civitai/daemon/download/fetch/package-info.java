/**
 * HTTP for the download engine: GET with redirects followed hop by hop
 * ({@link civitai.daemon.download.fetch.HttpFetch}), each hop's credential and rate gate from
 * {@code download.fetch.host} (with the connection slots), a body read as the client's own buffers
 * ({@link civitai.daemon.download.fetch.BodyStream}); the one classifier of an answer
 * ({@link civitai.daemon.download.fetch.AnswerClassifier}, giving an
 * {@link civitai.daemon.download.fetch.Answer}) and the one wording of a refusal
 * ({@link civitai.daemon.download.fetch.PlainRefusals}, or a host's own through
 * {@link civitai.daemon.download.fetch.RefusalReader}); one
 * {@link civitai.daemon.download.fetch.RateGate} per host a source names (here, not in
 * {@code host}, because it reads a 429's {@link civitai.daemon.download.fetch.RetryAfter}), the
 * bandwidth cap. Imports nothing of the engine but {@code download.fetch.host} and
 * {@code download.part}'s buffer budget.
 */
package civitai.daemon.download.fetch;
