package civitai.daemon.http.server;

import civitai.daemon.auth.Role;
import com.eclipsesource.json.JsonValue;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One API request as handlers see it: path parameters, query parameters, body, caller's role. */
public final class Request {
    public final HttpExchange exchange;
    public final Map<String, String> params;
    public final Map<String, String> query;
    public final Role role;

    public Request(HttpExchange exchange, Map<String, String> params, Role role) {
        this.exchange = exchange;
        this.params = params;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        this.role = role;
    }

    public static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                out.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed query parameter: " + key);
            }
        }
        return out;
    }

    public long id() {
        try {
            return Long.parseLong(params.get("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no job " + params.get("id"));
        }
    }

    public String query(String name) {
        String v = query.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    public int intQuery(String name, int fallback, int min, int max) {
        String v = query(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("query parameter " + name + "=" + v
                + " must be a whole number from " + min + " to " + max);
    }

    public boolean boolQuery(String name) {
        String v = query(name);
        if (v == null || v.equals("false") || v.equals("0")) {
            return false;
        }
        if (v.equals("true") || v.equals("1")) {
            return true;
        }
        throw ApiException.badRequest("query parameter " + name + "=" + v
                + " must be true or false");
    }

    /** The client and the public URL it used, believing only trusted proxies. */
    public Forwarded forwarded() {
        return Forwarded.from(exchange);
    }

    public JsonValue json(int maxBytes) throws IOException {
        return JsonBody.read(exchange, maxBytes);
    }

    /** The body as sent, whatever its Content-Type says; see {@link JsonBody#bytes}. */
    public byte[] bytes(int maxBytes, int maxUndeclared) throws IOException {
        return JsonBody.bytes(exchange, maxBytes, maxUndeclared);
    }
}
