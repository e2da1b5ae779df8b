/**
 * Outbound network policy: which requests go through the forward proxy ({@code proxy},
 * {@code no_proxy} or the proxy environment variables) and the proxy's credentials. Used by the
 * one HttpClient that Civitai calls, downloads and notifications share.
 */
package civitai.daemon.net;
