package civitai.daemon.civitai;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/**
 * Which file of a version to take when no {@code fileId} is given ({@code file_preferences} in
 * config.json, e.g. {@code {"format": "SafeTensor", "fp": "fp16", "size": "pruned"}}): the model
 * file matching the most of them (format counts most, then fp, then size), the primary file on a
 * tie. Each may be null. Immutable.
 */
public record FilePreferences(String format, String fp, String size) {
    public static final FilePreferences NONE = new FilePreferences(null, null, null);

    public boolean isEmpty() {
        return format == null && fp == null && size == null;
    }

    /** How well a file matches; higher is better. */
    int score(JsonObject file) {
        JsonValue meta = file.get("metadata");
        JsonObject m = meta != null && meta.isObject() ? meta.asObject() : new JsonObject();
        return (matches(format, m, "format") ? 4 : 0) + (matches(fp, m, "fp") ? 2 : 0) + (matches(size, m, "size") ? 1 : 0);
    }

    private static boolean matches(String wanted, JsonObject meta, String key) {
        return wanted != null && meta.get(key) != null && meta.get(key).isString()
                && meta.get(key).asString().equalsIgnoreCase(wanted);
    }
}
