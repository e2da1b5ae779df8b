package civitai.daemon.http.server;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import java.time.Instant;

/** A value as the API writes it: JSON null for an absent one, an instant as ISO-8601 text. */
public final class JsonValues {
    private JsonValues() {}

    public static JsonValue nullable(Long v) {
        return v == null ? Json.NULL : Json.value(v);
    }

    public static JsonValue nullable(String v) {
        return v == null ? Json.NULL : Json.value(v);
    }

    public static JsonValue nullable(Instant v) {
        return v == null ? Json.NULL : Json.value(v.toString());
    }
}
