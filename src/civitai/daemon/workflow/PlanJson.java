package civitai.daemon.workflow;

import civitai.daemon.library.index.LibraryFile;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A plan as the API answers it: one row per reference with its index, node, name, folder, decision,
 * url, sha256 (or the shorter hash the workflow gave), target path, the size of the library's file
 * it found, the path of a copy found elsewhere, an ambiguous name's candidates, and reason; absent
 * values are null.
 */
public final class PlanJson {
    private PlanJson() {}

    public static JsonObject of(List<PlanRow> rows) {
        var out = new JsonArray();
        for (int i = 0; i < rows.size(); i++) {
            out.add(row(i, rows.get(i)));
        }
        return new JsonObject().add("models", out);
    }

    /** @param index the row's place in the plan, by which a later queue request chooses it */
    static JsonObject row(int index, PlanRow row) {
        Reference r = row.reference();
        return new JsonObject().add("row", index).add("node", r.node())
                .add("node_class", r.nodeClass()).add("name", r.name())
                .add("folder", text(r.folder()))
                .add("decision", row.decision().name().toLowerCase(Locale.ROOT))
                .add("url", text(r.url())).add("hash", text(r.hash()))
                .add("target", text(row.target().map(Object::toString)))
                .add("size", row.file().<JsonValue>map(f -> Json.value(f.size())).orElse(Json.NULL))
                .add("elsewhere", text(row.file()
                        .filter(f -> row.decision() == PlanRow.Decision.PRESENT_ELSEWHERE)
                        .map(LibraryFile::path)))
                .add("candidates", candidates(row))
                .add("reason", row.reason());
    }

    /** An ambiguous name's library files, each with what tells them apart. */
    private static JsonArray candidates(PlanRow row) {
        var out = new JsonArray();
        if (row.decision() == PlanRow.Decision.AMBIGUOUS) {
            row.found().forEach(f -> out.add(new JsonObject().add("path", f.path())
                    .add("size", f.size())
                    .add("sha256", f.sha256() == null ? Json.NULL : Json.value(f.sha256()))));
        }
        return out;
    }

    private static JsonValue text(Optional<String> v) {
        return v.<JsonValue>map(Json::value).orElse(Json.NULL);
    }
}
