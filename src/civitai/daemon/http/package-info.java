/**
 * The HTTP surface on com.sun.net.httpserver: the route table ({@link civitai.daemon.http.Api}),
 * the server, the routes of jobs, events, status, metrics, updates, webhooks, policies, previews,
 * adoption and the browser GUI's page and files (kept as plain files in
 * {@code civitai/daemon/web/}). What every route stands on is in {@code http.server}; taking
 * entries in (Civitai and Hugging Face references) in {@code http.intake}; workflows in
 * {@code http.workflow}; the library's routes in {@code http.library}. Only this package imports
 * them all.
 */
package civitai.daemon.http;
