package civitai.daemon.civitai;

import civitai.daemon.config.FilePreferences;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** How well one of a version's files matches {@link FilePreferences}, read from its metadata. */
final class FileScore {
    private FileScore() {}

    /** Higher is better: format counts most, then fp, then size. */
    static int of(FilePreferences wanted, JsonObject file) {
        JsonValue meta = file.get("metadata");
        JsonObject m = meta != null && meta.isObject() ? meta.asObject() : new JsonObject();
        return (matches(wanted.format(), m, "format") ? 4 : 0)
                + (matches(wanted.fp(), m, "fp") ? 2 : 0)
                + (matches(wanted.size(), m, "size") ? 1 : 0);
    }

    private static boolean matches(String wanted, JsonObject meta, String key) {
        return wanted != null && meta.get(key) != null && meta.get(key).isString()
                && meta.get(key).asString().equalsIgnoreCase(wanted);
    }
}
