package civitai.daemon.notify;

import civitai.daemon.log.Sizes;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A delivery's event as people read it: a title, a short line, and labelled facts (model, type,
 * size, time, speed, reason). Built from the stored webhook payload, so every target words the
 * same event the same way. Immutable.
 *
 * @param kind  success, failure, update, warning or info: picks colours, priorities and emoji
 * @param title e.g. "Downloaded: Juggernaut XL v9"
 * @param line  one sentence, or empty
 * @param facts label and value pairs, in reading order
 */
record Notice(String kind, String title, String line, List<Fact> facts, String timestamp) {
    /** One labelled fact. */
    record Fact(String label, String value) {}

    Notice {
        facts = List.copyOf(facts);
    }

    static Notice of(String event, String payload) {
        JsonObject p = parse(payload);
        String name = subject(p);
        List<Fact> facts = new ArrayList<>();
        String ts = text(p, "timestamp");
        return switch (event) {
            case "download_completed" -> {
                add(facts, "Type", text(p, "model_type"));
                add(facts, "File", text(p, "filename"));
                add(facts, "Size", size(p.get("size")));
                boolean fetched = p.getBoolean("downloaded", true);
                if (fetched) {
                    add(facts, "Time", duration(p.get("duration_seconds")));
                    add(facts, "Speed", speed(p.get("average_bytes_per_second")));
                }
                add(facts, "Path", text(p, "path"));
                yield new Notice("success", "Downloaded: " + name,
                        fetched ? "" : "The file was already there and verified.", facts, ts);
            }
            case "download_failed" -> {
                add(facts, "Type", text(p, "model_type"));
                add(facts, "File", text(p, "filename"));
                add(facts, "Reason", text(p, "error_message") == null ? text(p, "error")
                        : text(p, "error_message"));
                add(facts, "Attempts", number(p.get("attempts")));
                yield new Notice("failure", "Download failed: " + name, "", facts, ts);
            }
            case "download_started" -> {
                add(facts, "Type", text(p, "model_type"));
                add(facts, "Size", size(p.get("size")));
                yield new Notice("info", "Download started: " + name, "", facts, ts);
            }
            case "download_cancelled" -> new Notice("warning", "Download cancelled: " + name, "",
                    facts, ts);
            case "model_update" -> {
                add(facts, "File", text(p, "filename"));
                add(facts, "Model", number(p.get("model_id")));
                add(facts, "Version", number(p.get("version_id")));
                add(facts, "Commit", text(p, "commit"));
                yield new Notice("update", "New version: " + name,
                        "It has been queued for download.", facts, ts);
            }
            case "model_update_error" -> {
                add(facts, "Model", number(p.get("model_id")));
                add(facts, "Error", text(p, "error"));
                String what = text(p, "repo") != null ? text(p, "repo") + "/" + text(p, "path")
                        : "model " + number(p.get("model_id"));
                yield new Notice("warning", "Update check failed for " + what, "", facts, ts);
            }
            default -> new Notice("info", text(p, "title") == null ? event : text(p, "title"),
                    text(p, "message") == null ? "" : text(p, "message"), facts, ts);
        };
    }

    /** Title, line and facts as plain text lines. */
    String plainBody() {
        StringBuilder b = new StringBuilder();
        if (!line.isEmpty()) {
            b.append(line).append('\n');
        }
        for (Fact f : facts) {
            b.append(f.label()).append(": ").append(f.value()).append('\n');
        }
        return b.toString().strip();
    }

    private static JsonObject parse(String payload) {
        try {
            JsonValue v = Json.parse(payload);
            return v.isObject() ? v.asObject() : new JsonObject();
        } catch (ParseException e) {
            return new JsonObject().add("message", payload);
        }
    }

    /** The model's name when known, else the file name, else the model id. */
    private static String subject(JsonObject p) {
        for (String key : List.of("name", "filename")) {
            String v = text(p, key);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        String id = number(p.get("model_id"));
        return id == null ? "job " + number(p.get("job_id")) : "model " + id;
    }

    private static void add(List<Fact> facts, String label, String value) {
        if (value != null && !value.isBlank()) {
            facts.add(new Fact(label, value));
        }
    }

    private static String text(JsonObject p, String key) {
        JsonValue v = p.get(key);
        return v != null && v.isString() ? v.asString() : null;
    }

    private static String number(JsonValue v) {
        return v == null || !v.isNumber() ? null : v.toString();
    }

    static String size(JsonValue v) {
        if (v == null || !v.isNumber()) {
            return null;
        }
        return Sizes.of(v.asLong());
    }

    static String duration(JsonValue v) {
        if (v == null || !v.isNumber()) {
            return null;
        }
        long s = Math.round(v.asDouble());
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", v.asDouble());
        }
        return s < 3600 ? String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60)
                : String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
    }

    private static String speed(JsonValue v) {
        String s = size(v);
        return s == null || v.asDouble() <= 0 ? null : s + "/s";
    }
}
