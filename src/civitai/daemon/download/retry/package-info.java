/**
 * When an attempt ends early and when the next one may start: the limits the
 * {@link civitai.daemon.download.retry.Watchdog} watches on every attempt (stall and timeout, an
 * {@link civitai.daemon.download.retry.AttemptGuard} each), what an answer on one connection means
 * for the attempt ({@link civitai.daemon.download.retry.ResponseCheck}: the file, the whole file
 * already, or a stop with its outcome), and the backoff between attempts
 * ({@link civitai.daemon.download.retry.RetryPolicy}). Imports {@code download.fetch} and
 * {@code download.rules}, nothing of the attempt or the queue: both use it.
 */
package civitai.daemon.download.retry;
