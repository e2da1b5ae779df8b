package civitai.daemon.http.server;

import com.eclipsesource.json.JsonValue;
import java.util.Map;

/**
 * What a handler answers: a status and a JSON body, or text (Prometheus), or bytes with their own
 * headers (the GUI), or nothing because the handler streamed the answer itself (server-sent
 * events).
 */
public sealed interface Reply {
    public record Json(int status, JsonValue body) implements Reply {}

    public record Text(int status, String contentType, String body) implements Reply {}

    /**
     * Bytes with their own headers (the GUI's files, previews, redirects); an empty body sends
     * none.
     */
    public record Raw(int status, Map<String, String> headers, byte[] body) implements Reply {}

    /** The handler wrote the response itself. */
    public record Streamed() implements Reply {}

    public static Reply ok(JsonValue body) {
        return new Json(200, body);
    }

    public static Reply accepted(JsonValue body) {
        return new Json(202, body);
    }

    /** Headers every JSON answer carries. */
    public Map<String, String> JSON_HEADERS =
            Map.of("Content-Type", "application/json; charset=utf-8", "Cache-Control", "no-store");
}
