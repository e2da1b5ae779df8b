package civitai.daemon.testing;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Base of the fake notification services (Telegram, ntfy, Discord) on 127.0.0.1: records every
 * request, answers the scripted failures first (an error, or a 429 naming a wait), then checks the
 * request's shape the way the real service would and answers as it does. Shape problems are
 * answered 400 and kept in {@link #problems()}, which a test expects empty.
 */
public abstract class FakeService implements AutoCloseable {
    /** One request as the service saw it, and what it answered. */
    public record Received(Instant at, String method, String path,
            Map<String, List<String>> headers, String body, int answered) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public JsonObject json() {
            return Json.parse(body).asObject();
        }
    }

    /**
     * An answer to give before the real one: a status, or a 429 asking for
     * {@code retryAfterSeconds}.
     */
    public record Scripted(int status, double retryAfterSeconds) {}

    /** The answer the fake gives. */
    protected record Answer(int status, Map<String, String> headers, String body) {}

    private HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Queue<Scripted> script = new ConcurrentLinkedQueue<>();

    /** Starts listening; called once by each fake's factory, after construction. */
    protected final void listen() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::serve);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** {@code http://127.0.0.1:port}: the {@code api_url} a target points here with. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next {@code n} requests get this status (5xx: a server error). */
    public void failNext(int n, int status) {
        for (int i = 0; i < n; i++) {
            script.add(new Scripted(status, -1));
        }
    }

    /** The next request gets a 429 asking to wait {@code seconds}, in the service's own way. */
    public void rateLimitNext(double seconds) {
        script.add(new Scripted(429, seconds));
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Requests answered 2xx. */
    public List<Received> accepted() {
        return received.stream().filter(r -> r.answered() / 100 == 2).toList();
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Checks one request's shape; returns the problems (empty when it is what the service wants).
     */
    protected abstract List<String> check(String method, String path,
            Map<String, List<String>> headers, JsonObject body);

    protected abstract Answer ok();

    /** The service's 429, asking for {@code seconds}. */
    protected abstract Answer rateLimited(double seconds);

    protected Answer refused(int status, String why) {
        return new Answer(status, Map.of("Content-Type", "application/json"),
                new JsonObject().add("error", why).toString());
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, List<String>> headers = Map.copyOf(ex.getRequestHeaders());
            Answer answer = answer(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), headers,
                    body);
            received.add(new Received(Instant.now(), ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(), headers, body, answer.status()));
            answer.headers().forEach(ex.getResponseHeaders()::set);
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                ex.getResponseBody().write(bytes);
            }
        }
    }

    private Answer answer(String method, String path, Map<String, List<String>> headers,
            String body) {
        Scripted next = script.poll();
        if (next != null) {
            return next.status() == 429 ? rateLimited(next.retryAfterSeconds())
                    : refused(next.status(), "scripted failure");
        }
        JsonObject json;
        try {
            JsonValue v = Json.parse(body);
            json = v.isObject() ? v.asObject() : null;
        } catch (ParseException e) {
            json = null;
        }
        List<String> found = new ArrayList<>();
        if (json == null) {
            found.add("the body is not a JSON object: " + body);
        } else {
            found.addAll(check(method, path, headers, json));
        }
        if (!found.isEmpty()) {
            problems.addAll(found);
            return refused(400, String.join("; ", found));
        }
        return ok();
    }

    protected static String header(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
