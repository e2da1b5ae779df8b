package civitai.daemon.http;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** Small helpers for building API answers with minimal-json. */
final class Json {
    private Json() {}

    static JsonValue nullable(Long value) {
        return value == null ? com.eclipsesource.json.Json.NULL : com.eclipsesource.json.Json.value(value);
    }

    static JsonValue nullable(String value) {
        return value == null ? com.eclipsesource.json.Json.NULL : com.eclipsesource.json.Json.value(value);
    }

    static JsonObject error(String code, String message) {
        return new JsonObject().add("error", new JsonObject().add("code", code).add("message", message));
    }
}
