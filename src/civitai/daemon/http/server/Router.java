package civitai.daemon.http.server;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.download.JobConflict;
import civitai.daemon.download.NoSuchJob;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.DatabaseFull;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the route table: matches method and path, checks the caller's token and role, calls the
 * handler inside the one error boundary, and writes the reply. Every error leaves as
 * {@code {"error": {"code", "message", "details"}}}; an unexpected exception is a 500 whose stack
 * trace goes to error.log, never to the client. Thread-safe.
 */
public final class Router implements HttpHandler {
    /** Handles one matched request. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request request) throws IOException;
    }

    /**
     * One line of the route table. {@code needs} null: open to anyone (healthz).
     * {@code tokenInQuery}: the route also takes {@code ?access_token=} (EventSource cannot send
     * headers).
     */
    public record Route(String method, String pattern, Role needs, boolean tokenInQuery,
            Handler handler) {
        public Route(String method, String pattern, Role needs, Handler handler) {
            this(method, pattern, needs, false, handler);
        }

        Map<String, String> match(String path) {
            String[] want = pattern.split("/", -1);
            String[] got = path.split("/", -1);
            if (want.length != got.length) {
                return null;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (int i = 0; i < want.length; i++) {
                if (want[i].startsWith("{") && want[i].endsWith("}")) {
                    if (got[i].isEmpty()) {
                        return null;
                    }
                    params.put(want[i].substring(1, want[i].length() - 1), got[i]);
                } else if (!want[i].equals(got[i])) {
                    return null;
                }
            }
            return params;
        }
    }

    private final List<Route> routes;
    private final Jwt jwt;
    private final HostCheck hosts;
    private final DaemonLog log;

    /**
     * @param jwt   null when {@code jwt_secret} is unset: everyone is admin, and only requests
     *              whose Host names this daemon are answered ({@code hosts})
     */
    public Router(List<Route> routes, Jwt jwt, HostCheck hosts, DaemonLog log) {
        this.routes = List.copyOf(routes);
        this.jwt = jwt;
        this.hosts = hosts;
        this.log = log;
    }

    @Override
    public void handle(HttpExchange exchange) {
        try (exchange) {
            Reply reply;
            try {
                reply = dispatch(exchange);
            } catch (ApiException e) {
                if (e.status == 401 || e.status == 403) {
                    log.warn("refused " + exchange.getRequestMethod() + " "
                            + exchange.getRequestURI().getPath() + " from "
                            + Forwarded.from(exchange).client() + ": " + e.getMessage());
                }
                reply = error(e.status, e.code, e.getMessage(), e.details);
            } catch (NoSuchJob e) {
                reply = error(404, "not_found", e.getMessage(), null);
            } catch (JobConflict e) {
                reply = error(409, "conflict", e.getMessage(),
                        new JsonObject().add("state", e.current().key()));
            } catch (DatabaseFull e) {
                // one line in the log (a minute apart when it repeats), no trace
                log.error("not recorded: " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath(), e);
                reply = error(507, "disk_full", e.getMessage(), null);
            } catch (ClientGone e) {
                return;  // the client stopped sending or reading; nobody is left to answer
            } catch (RuntimeException | IOException e) {
                log.error("unexpected error serving " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath(), e);
                reply = error(500, "internal_error",
                        "internal error; the daemon's error.log has the details", null);
            }
            write(exchange, reply);
        } catch (IOException e) {
            // only a failed write of the answer lands here: the client went away
        }
    }

    private Reply dispatch(HttpExchange exchange) throws IOException {
        RequestLine.check(exchange);
        if (jwt == null) {
            hosts.check(exchange.getRequestHeaders().getFirst("Host"));
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String effective = method.equals("HEAD") ? "GET" : method;
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = route.match(path);
            if (params == null) {
                continue;
            }
            allowed.add(route.method());
            if (route.method().equals(effective)) {
                Role role = authorize(exchange, route);
                return route.handler().handle(new Request(exchange, params, role));
            }
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("no such resource: " + path);
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        throw new ApiException(405, "method_not_allowed", method + " is not allowed on " + path
                + "; allowed: " + String.join(", ", allowed));
    }

    private Role authorize(HttpExchange exchange, Route route) {
        if (jwt == null || route.needs() == null) {
            return Role.ADMIN;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        String queryToken = Request.parseQuery(exchange.getRequestURI().getRawQuery())
                .get("access_token");
        String token;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new ApiException(401, "unauthorized", "use Authorization: Bearer <token>");
            }
            token = header.substring(7).strip();
        } else if (queryToken != null && route.tokenInQuery()) {
            token = queryToken;
        } else if (queryToken != null) {
            throw new ApiException(401, "unauthorized", "a token in the query string is accepted"
                    + " only by the event stream; send Authorization: Bearer <token>");
        } else {
            throw new ApiException(401, "unauthorized", "this API needs Authorization:"
                    + " Bearer <token> (civitai-daemon token --role viewer)");
        }
        Role role;
        try {
            role = jwt.verify(token);
        } catch (Jwt.InvalidToken e) {
            throw new ApiException(401, "unauthorized", e.getMessage());
        }
        if (!role.mayDo(route.needs())) {
            throw new ApiException(403, "forbidden",
                    "this needs the " + route.needs().name().toLowerCase()
                    + " role; the token is " + role.name().toLowerCase());
        }
        return role;
    }

    public static Reply error(int status, String code, String message, JsonValue details) {
        JsonObject error = new JsonObject().add("code", code).add("message", message);
        if (details != null) {
            error.add("details", details);
        }
        return new Reply.Json(status, new JsonObject().add("error", error));
    }

    private static void write(HttpExchange exchange, Reply reply) throws IOException {
        switch (reply) {
            case Reply.Streamed s -> { }
            case Reply.Json j -> {
                Reply.JSON_HEADERS.forEach(exchange.getResponseHeaders()::set);
                send(exchange, j.status(), (j.body().toString() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            case Reply.Text t -> {
                exchange.getResponseHeaders().set("Content-Type", t.contentType());
                send(exchange, t.status(), t.body().getBytes(StandardCharsets.UTF_8));
            }
            case Reply.Raw raw -> {
                raw.headers().forEach(exchange.getResponseHeaders()::set);
                send(exchange, raw.status(), raw.body());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
