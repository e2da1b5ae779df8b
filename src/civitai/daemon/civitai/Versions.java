package civitai.daemon.civitai;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Which of a model's versions is the newest: what a model link without a version, and the update
 * checker, take.
 */
final class Versions {
    private Versions() {}

    /**
     * The newest published version; {@code modelVersions[0]} is not always it. A listed version
     * counts as published unless its {@code status} says otherwise (Civitai omits null fields, and
     * older answers have no status or publishedAt); newest by {@code publishedAt}, else
     * {@code createdAt}, then id.
     */
    static long newest(JsonObject model) throws Resolver.Unresolvable {
        JsonValue list = model.get("modelVersions");
        JsonObject best = null;
        if (list != null && list.isArray()) {
            for (JsonValue v : list.asArray()) {
                if (!v.isObject()) {
                    continue;
                }
                JsonObject o = v.asObject();
                JsonValue status = o.get("status");
                if (status != null && status.isString() && !status.asString().equals("Published")) {
                    continue;
                }
                if (best == null || newer(o, best)) {
                    best = o;
                }
            }
        }
        if (best == null) {
            throw new Resolver.Unresolvable("model " + model.getLong("id", 0)
                    + " has no published version");
        }
        return best.getLong("id", 0);
    }

    private static boolean newer(JsonObject a, JsonObject b) {
        Instant da = date(a);
        Instant db = date(b);
        if (da != null && db != null && !da.equals(db)) {
            return da.isAfter(db);
        }
        if ((da == null) != (db == null)) {
            return da != null;  // a dated version is newer than one with no date at all
        }
        return a.getLong("id", 0) > b.getLong("id", 0);
    }

    /** publishedAt, else createdAt; null when neither is a date. */
    private static Instant date(JsonObject version) {
        for (String key : new String[] {"publishedAt", "createdAt"}) {
            JsonValue v = version.get(key);
            if (v != null && v.isString()) {
                try {
                    return Instant.parse(v.asString());
                } catch (DateTimeParseException e) {
                    // not a date: try the next key
                }
            }
        }
        return null;
    }
}
