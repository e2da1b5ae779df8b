package civitai.daemon.http.server;

import civitai.daemon.config.AddressRange;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who asked, and under which public URL, when the daemon sits behind a reverse proxy. The
 * {@code X-Forwarded-For/Proto/Host/Prefix} headers are believed only from a peer in
 * {@code trusted_proxies}; the client is the right-most address in X-Forwarded-For that is not a
 * trusted proxy itself (so a client cannot forge its address by sending the header). Immutable.
 *
 * @param client the client's address, for logs
 * @param scheme http or https, as the client used it
 * @param host   host[:port] the client used
 * @param prefix the path the proxy mounts the daemon under ("" or e.g. "/civitai"), no trailing '/'
 */
public record Forwarded(String client, String scheme, String host, String prefix) {
    public static final String ATTRIBUTE = "civitai.forwarded";
    private static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9.-]{1,253}(:\\d{1,5})?|\\[[0-9A-Fa-f:.]{2,45}](:\\d{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("(/[A-Za-z0-9._~-]+)*/?");

    /** A link to {@code path} (starting with '/') as the client sees this daemon. */
    public String link(String path) {
        return scheme + "://" + host + prefix + path;
    }

    /** What the exchange says, believing the proxy headers only from trusted peers. */
    public static Forwarded of(HttpExchange exchange, List<AddressRange> trusted) {
        InetAddress peer = exchange.getRemoteAddress().getAddress();
        String direct = peer == null ? "unknown" : peer.getHostAddress();
        String ownHost = header(exchange, "Host");
        String host = ownHost != null && HOST.matcher(ownHost).matches() ? ownHost
                : "127.0.0.1:" + exchange.getLocalAddress().getPort();
        if (!isTrusted(peer, trusted)) {
            return new Forwarded(direct, "http", host, "");
        }
        String proto = header(exchange, "X-Forwarded-Proto");
        String fHost = header(exchange, "X-Forwarded-Host");
        String fPrefix = header(exchange, "X-Forwarded-Prefix");
        String scheme = proto != null && List.of("http", "https")
                .contains(first(proto).toLowerCase(Locale.ROOT))
                ? first(proto).toLowerCase(Locale.ROOT) : "http";
        host = fHost != null && HOST.matcher(first(fHost)).matches() ? first(fHost) : host;
        String prefix = fPrefix != null && PREFIX.matcher(first(fPrefix)).matches()
                ? first(fPrefix).replaceAll("/+$", "") : "";
        return new Forwarded(client(direct, header(exchange, "X-Forwarded-For"), trusted), scheme,
                host, prefix);
    }

    /**
     * The right-most X-Forwarded-For hop that is not a trusted proxy; the peer when there is none.
     */
    private static String client(String peer, String forwardedFor, List<AddressRange> trusted) {
        if (forwardedFor == null) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String leftmost = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip().replaceAll("^\\[|](:\\d+)?$", "");
            byte[] address = AddressRange.literal(hop);
            if (address == null) {
                return leftmost;  // garbage: stop at the last hop we could read
            }
            leftmost = hop;
            if (trusted.stream().noneMatch(r -> r.contains(address))) {
                return hop;
            }
        }
        return leftmost;
    }

    private static boolean isTrusted(InetAddress peer, List<AddressRange> trusted) {
        return peer != null && trusted.stream().anyMatch(r -> r.contains(peer));
    }

    private static String header(HttpExchange exchange, String name) {
        String v = exchange.getRequestHeaders().getFirst(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** The first of a comma-separated list (proxies chain by appending). */
    private static String first(String value) {
        int comma = value.indexOf(',');
        return (comma < 0 ? value : value.substring(0, comma)).strip();
    }

    /** Works out the exchange's Forwarded once, before any handler; handlers read the attribute. */
    public static Filter filter(List<AddressRange> trusted) {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                exchange.setAttribute(ATTRIBUTE, of(exchange, trusted));
                chain.doFilter(exchange);
            }

            @Override
            public String description() {
                return "X-Forwarded-* from trusted proxies";
            }
        };
    }

    /** The exchange's Forwarded (the filter's, or worked out now with no trusted proxy). */
    public static Forwarded from(HttpExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE) instanceof Forwarded f ? f
                : of(exchange, List.of());
    }
}
