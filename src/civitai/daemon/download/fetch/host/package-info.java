/**
 * The engine's per-host policy, asked at every hop of a request: which host gets which credential
 * ({@link civitai.daemon.download.fetch.host.HostCredentials}, a source's token;
 * {@link civitai.daemon.download.fetch.host.Credentials}, a URL's own user-info), how many
 * connections all downloads hold to one host
 * ({@link civitai.daemon.download.fetch.host.HostSlots}), and the rate gate the engine waits on
 * before each request and asks how long a 429 holds
 * ({@link civitai.daemon.download.fetch.host.HostGate}; the gate sources build is
 * {@code download.fetch}'s {@code RateGate}, which reads a 429's Retry-After). "One host" is
 * {@link civitai.daemon.download.fetch.host.Authority}. No host is known here by name. Imports
 * nothing of the engine, and of the rest only {@code store}'s {@code JobSpec} (a URL without its
 * user-info).
 */
package civitai.daemon.download.fetch.host;
