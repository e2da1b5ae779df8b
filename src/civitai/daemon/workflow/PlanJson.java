package civitai.daemon.workflow;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A plan as the API answers it: one row per reference with node, name, folder, decision, url,
 * sha256 (or the shorter hash the workflow gave), target path and reason; absent values are null.
 */
public final class PlanJson {
    private PlanJson() {}

    public static JsonObject of(List<PlanRow> rows) {
        var out = new JsonArray();
        rows.forEach(r -> out.add(row(r)));
        return new JsonObject().add("models", out);
    }

    static JsonObject row(PlanRow row) {
        Reference r = row.reference();
        return new JsonObject().add("node", r.node()).add("node_class", r.nodeClass()).add("name", r.name())
                .add("folder", text(r.folder()))
                .add("decision", row.decision().name().toLowerCase(Locale.ROOT))
                .add("url", text(r.url())).add("hash", text(r.hash()))
                .add("target", text(row.target().map(Object::toString))).add("reason", row.reason());
    }

    private static JsonValue text(Optional<String> v) {
        return v.<JsonValue>map(Json::value).orElse(Json.NULL);
    }
}
