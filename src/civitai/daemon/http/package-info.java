/**
 * The HTTP surface on com.sun.net.httpserver: routes, the one error boundary, JSON answers, and
 * the browser GUI's page and files (kept as plain files in {@code civitai/daemon/web/}).
 */
package civitai.daemon.http;
