/**
 * The HTTP surface on com.sun.net.httpserver: routes, the one error boundary, JSON answers.
 */
package civitai.daemon.http;
