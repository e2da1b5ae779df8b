package civitai.daemon.cli.view;

import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** Jobs as table rows, and the lenient reads of the API's JSON that the tables need. */
public final class Views {
    private Views() {}

    /** A member as text; null when missing or JSON null. */
    public static String text(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v == null || v.isNull() ? null : v.isString() ? v.asString() : v.toString();
    }

    public static String text(JsonObject o, String name, String absent) {
        String t = text(o, name);
        return t == null ? absent : t;
    }

    /** A numeric member; null when missing, JSON null or not a number. */
    public static Long number(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.isNumber() ? (long) v.asDouble() : null;
    }

    public static Double decimal(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    public static JsonObject object(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.isObject() ? v.asObject() : new JsonObject();
    }

    public static JsonArray array(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v != null && v.isArray() ? v.asArray() : new JsonArray();
    }

    /** The jobs of {@code list}: a progress bar, speed and ETA for the ones downloading. */
    public static Table jobs(JsonArray jobs) {
        Table t = new Table(">ID", "STATE", "TYPE", ">PRI", "PROGRESS", ">SPEED", ">ETA", "FILE");
        for (JsonValue v : jobs) {
            JsonObject j = v.asObject();
            String state = text(j, "state", "?");
            boolean live = state.equals("downloading") || state.equals("verifying");
            long bytes = number(j, "bytes") == null ? 0 : number(j, "bytes");
            String progress = live ? Format.bar(bytes, number(j, "total"))
                    : state.equals("completed") ? Format.bytes(number(j, "total") != null
                            ? number(j, "total") : bytes)
                    : state.equals("failed") ? text(j, "failure_reason", "") : "";
            t.row(text(j, "id", "?"), state, text(j, "model_type", ""), text(j, "priority", "0"),
                    progress, live ? Format.speed(number(j, "bytes_per_second")) : "",
                    live ? Format.duration(number(j, "eta_seconds")) : "", name(j));
        }
        return t;
    }

    /** The jobs of {@code completed}: where each file is and its checksum. */
    public static Table completed(JsonArray jobs) {
        Table t = new Table(">ID", "TYPE", ">SIZE", "FINISHED", "SHA256", "FILE");
        for (JsonValue v : jobs) {
            JsonObject j = v.asObject();
            String sha = text(j, "sha256", "");
            t.row(text(j, "id", "?"), text(j, "model_type", ""),
                    Format.bytes(number(j, "total") != null ? number(j, "total")
                            : number(j, "bytes")),
                    text(j, "finished_at", "").replaceFirst("\\.\\d+Z$", "Z"),
                    sha.length() > 12 ? sha.substring(0, 12) : sha, text(j, "path", name(j)));
        }
        return t;
    }

    /** The file name, or the URL while the name is not known yet. */
    public static String name(JsonObject job) {
        return text(job, "filename", text(job, "url", ""));
    }
}
