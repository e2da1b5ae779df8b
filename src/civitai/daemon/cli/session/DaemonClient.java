package civitai.daemon.cli.session;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The daemon's REST API over {@link HttpClient}: every answer is JSON; a 4xx/5xx becomes a
 * {@link Failure} (exit 1) carrying the daemon's own message, and no connection a
 * {@link Failure} (exit 3) naming the URL and where it came from. Bodies are JSON, but for a
 * workflow's raw bytes. Not thread-safe.
 */
public final class DaemonClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Target target;
    private final HttpClient http;

    public DaemonClient(Target target) {
        this.target = target;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    public Target target() {
        return target;
    }

    public JsonObject get(String path) throws Failure {
        return send("GET", path, null);
    }

    /** A request whose answer is a JSON object; {@code body} is sent as JSON when not null. */
    public JsonObject send(String method, String path, JsonValue body) throws Failure {
        HttpRequest.Builder b = request(path).timeout(REQUEST_TIMEOUT).method(method, body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return answer(b.build());
    }

    /**
     * A POST of raw bytes (a workflow file as it is: the daemon reads its format from the content).
     */
    public JsonObject post(String path, byte[] body) throws Failure {
        return answer(request(path).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private JsonObject answer(HttpRequest request) throws Failure {
        HttpResponse<String> r = exchange(request,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonValue json = parse(r.body());
        if (r.statusCode() / 100 != 2) {
            throw refused(r.statusCode(), json, r.body());
        }
        if (json == null || !json.isObject()) {
            throw Failure.error("the daemon at " + target.base() + " answered " + r.statusCode()
                    + " with something that is not JSON: " + head(r.body()));
        }
        return json.asObject();
    }

    /** The event stream, open; the caller reads it until it ends and closes it. */
    public InputStream events() throws Failure {
        HttpRequest req = request("/api/events").header("Accept", "text/event-stream").GET()
                .build();
        HttpResponse<InputStream> r = exchange(req, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream body = r.body()) {
                String text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                throw refused(r.statusCode(), parse(text), text);
            } catch (IOException e) {
                throw Failure.error("the daemon answered " + r.statusCode() + " to /api/events");
            }
        }
        return r.body();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.base() + path))
                .header("Accept", "application/json");
        if (target.token() != null) {
            b.header("Authorization", "Bearer " + target.token());
        }
        return b;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws Failure {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw Failure.unreachable("cannot reach the daemon at " + target.base() + " (from "
                    + target.source() + "): " + describe(e)
                    + ". Is it running? (systemctl status civitai-daemon)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failure.error("interrupted");
        }
    }

    private Failure refused(int status, JsonValue json, String body) {
        String message = head(body);
        if (json != null && json.isObject()
                && json.asObject().get("error") instanceof JsonObject error
                && error.get("message") != null && error.get("message").isString()) {
            message = error.get("message").asString();
        }
        String hint = status == 401 ? " (pass --token TOKEN, or run as a user who can read the"
                + " daemon's config.json and secrets.env so a token is made for you)" : "";
        return Failure.error("the daemon answered " + status + ": " + message + hint);
    }

    private static String describe(IOException e) {
        String what = e.getClass().getSimpleName().replace("Exception", "")
                .replaceAll("([a-z])([A-Z])", "$1 $2");
        String text = e.getMessage() == null || e.getMessage().isBlank() ? what.toLowerCase()
                : e.getMessage();
        return e instanceof ConnectException ? "connection refused" : text;
    }

    private static JsonValue parse(String body) {
        try {
            return body == null || body.isBlank() ? null : Json.parse(body);
        } catch (ParseException e) {
            return null;
        }
    }

    private static String head(String body) {
        String text = body == null ? "" : body.strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }
}
