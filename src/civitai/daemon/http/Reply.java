package civitai.daemon.http;

import com.eclipsesource.json.JsonValue;
import java.util.Map;

/**
 * What a handler answers: a status and a JSON body, or text (Prometheus), or bytes with their own
 * headers (the GUI), or nothing because the handler streamed the answer itself (server-sent events).
 */
sealed interface Reply {
    record Json(int status, JsonValue body) implements Reply {}

    record Text(int status, String contentType, String body) implements Reply {}

    /** Bytes with their own headers (the GUI's files, previews, redirects); an empty body sends none. */
    record Raw(int status, Map<String, String> headers, byte[] body) implements Reply {}

    /** The handler wrote the response itself. */
    record Streamed() implements Reply {}

    static Reply ok(JsonValue body) {
        return new Json(200, body);
    }

    static Reply accepted(JsonValue body) {
        return new Json(202, body);
    }

    /** Headers every JSON answer carries. */
    Map<String, String> JSON_HEADERS = Map.of("Content-Type", "application/json; charset=utf-8",
            "Cache-Control", "no-store");
}
