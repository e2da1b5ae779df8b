package civitai.daemon.http;

import civitai.daemon.log.DaemonLog;
import com.eclipsesource.json.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The HTTP surface on {@code bind_address:port}, one virtual thread per exchange. Every handler
 * runs inside one error boundary: an {@link ApiException} becomes its JSON error, anything else a
 * generic 500 whose stack trace goes to the log, never to the client.
 */
public final class Server implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final DaemonLog log;

    private Server(HttpServer server, DaemonLog log) {
        this.server = server;
        this.log = log;
    }

    /** Binds {@code address:port}; empty when the port is taken. */
    public static java.util.Optional<Server> bind(String address, int port, DaemonLog log) throws IOException {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 64);
            return java.util.Optional.of(new Server(server, log));
        } catch (BindException e) {
            return java.util.Optional.empty();
        }
    }

    /** Serves {@code routes} (path prefix → handler) and starts. */
    public void start(Map<String, Route> routes) {
        routes.forEach((path, route) -> server.createContext(path, exchange -> handle(exchange, route)));
        if (!routes.containsKey("/")) {  // JSON for unknown paths, not the JDK's HTML page
            server.createContext("/", exchange -> handle(exchange, ex -> {
                throw new ApiException(404, "not_found", "no such resource: " + ex.getRequestURI().getPath());
            }));
        }
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A handler that answers with JSON or throws {@link ApiException}. */
    @FunctionalInterface
    public interface Route {
        JsonObject handle(HttpExchange exchange) throws IOException;
    }

    private void handle(HttpExchange exchange, Route route) {
        try (exchange) {
            JsonObject body;
            int status = 200;
            try {
                body = route.handle(exchange);
            } catch (ApiException e) {
                status = e.status;
                body = Json.error(e.code, e.getMessage());
            } catch (RuntimeException e) {
                log.error("unexpected error serving " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath(), e);
                status = 500;
                body = Json.error("internal_error", "internal error; see the daemon's error.log");
            }
            send(exchange, status, body);
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    static void send(HttpExchange exchange, int status, JsonObject body) throws IOException {
        byte[] bytes = (body.toString() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Refuses methods other than GET/HEAD and paths other than exactly {@code path}. */
    static void requireGet(HttpExchange exchange, String path) {
        if (!exchange.getRequestURI().getPath().equals(path)) {
            throw new ApiException(404, "not_found", "no such resource: " + exchange.getRequestURI().getPath());
        }
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            throw new ApiException(405, "method_not_allowed", method + " is not allowed here; use GET");
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
