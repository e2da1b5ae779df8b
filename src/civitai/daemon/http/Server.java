package civitai.daemon.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The HTTP listener on {@code bind_address:port}: one virtual thread per exchange, one router. */
public final class Server implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    private Server(HttpServer server) {
        this.server = server;
    }

    /**
     * Caps what clients can hold before any route runs: at most {@code maxConnections} open (new
     * ones beyond are closed at accept, costing nothing), and a request whose headers and body do
     * not arrive within {@code requestTimeout} is cut, so slow clients cannot pile up. The JDK's
     * server reads these once per JVM, when the first server is created: call before that; a
     * value already set (on the command line) wins.
     */
    public static void limitClients(int maxConnections, Duration requestTimeout) {
        setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(maxConnections));
        setIfAbsent("sun.net.httpserver.maxReqTime",
                Long.toString(Math.max(1, requestTimeout.toSeconds())));
        setIfAbsent("sun.net.httpserver.timerMillis", "500");  // how often the cut is checked
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Binds {@code address:port}; empty when the port is taken. */
    public static Optional<Server> bind(String address, int port) throws IOException {
        try {
            return Optional.of(new Server(HttpServer.create(
                    new InetSocketAddress(InetAddress.getByName(address), port), 1024)));
        } catch (BindException e) {
            return Optional.empty();
        }
    }

    /** Starts serving the API. */
    public void start(Api api) {
        server.createContext("/", api.router()).getFilters().add(api.forwarded());
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Starts a health listener: {@code GET /healthz} alone, answered without a route or a query of
     * any kind. It has connections of its own, so clients that hold every connection of the API's
     * port (slow or abusive ones) do not blind a supervisor that probes here.
     */
    public void startHealth(int apiPort) {
        byte[] ok = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
        byte[] elsewhere = ("{\"error\":{\"code\":\"not_found\","
                + "\"message\":\"this port answers GET /healthz only; the API is on port " + apiPort
                + "\"}}").getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                boolean health = exchange.getRequestURI().getPath().equals("/healthz")
                        && (method.equals("GET") || method.equals("HEAD"));
                byte[] body = health ? ok : elsewhere;
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                boolean head = method.equals("HEAD");
                exchange.sendResponseHeaders(health ? 200 : 404, head ? -1 : body.length);
                if (!head) {
                    exchange.getResponseBody().write(body);
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
