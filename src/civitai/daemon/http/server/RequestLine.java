package civitai.daemon.http.server;

import com.sun.net.httpserver.HttpExchange;
import java.util.regex.Pattern;

/**
 * The request line's method and version, checked before any route: the JDK's server splits the
 * line at its first two spaces and passes on whatever it finds, so {@code GET /a b c HTTP/1.1}
 * arrives as the target {@code /a} with the version {@code b c HTTP/1.1}. A line the JDK refuses
 * itself (no second space, a target {@link java.net.URI} refuses, a bad header name or length)
 * never reaches this code; RELIABILITY.md lists those answers. Pure; thread-safe.
 */
public final class RequestLine {
    /** RFC 9110 §5.6.2: a method is a token. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VERSION =
            Pattern.compile("HTTP/[0-9]\\.[0-9]", Pattern.CASE_INSENSITIVE);
    private static final int SHOWN = 40;

    private RequestLine() {}

    /**
     * Throws a 400 for a method or version no client that speaks HTTP/1.x sends; an unsupported
     * version is a 400 too, not a 505: bad input from a client never gets a 5xx here.
     */
    public static void check(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String version = exchange.getProtocol();
        if (!TOKEN.matcher(method).matches()) {
            throw refusal(exchange, 400, "bad_request", "malformed request line: the method \""
                    + shown(method) + "\" is not a token; send METHOD /path HTTP/1.1");
        }
        if (!VERSION.matcher(version).matches()) {
            throw refusal(exchange, 400, "bad_request",
                    "malformed request line: \"" + shown(version) + "\" is not an HTTP version (a"
                    + " space in the target?); send METHOD /path HTTP/1.1, with spaces in the path"
                    + " written as %20");
        }
        if (!version.equalsIgnoreCase("HTTP/1.1") && !version.equalsIgnoreCase("HTTP/1.0")) {
            throw refusal(exchange, 400, "http_version_not_supported", version
                    + " is not supported; this daemon speaks HTTP/1.1 (and 1.0)");
        }
    }

    /** The rest of such a connection cannot be trusted to frame the next request: closed after. */
    private static ApiException refusal(HttpExchange exchange, int status, String code,
            String message) {
        exchange.getResponseHeaders().set("Connection", "close");
        return new ApiException(status, code, message);
    }

    private static String shown(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
    }
}
