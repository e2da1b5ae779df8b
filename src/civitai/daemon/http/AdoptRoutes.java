package civitai.daemon.http;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /api/library/adopt}: identified files on disk become manifest entries with
 * {@code "adopted": true}, their {@code path}, and an update policy ({@code notify} unless
 * {@code "update": "auto"} is sent), so the update checker covers them. Adopted entries are never
 * queued as downloads: the file is there already. Without {@code paths}, every identified file.
 * <pre>
 *   curl -s -XPOST localhost:8123/api/library/adopt -H 'Content-Type: application/json' -d '{}'
 *   curl -s -XPOST localhost:8123/api/library/adopt -H 'Content-Type: application/json' \
 *        -d '{"paths": ["/opt/ComfyUI/models/loras/x.safetensors"], "update": "auto"}'
 * </pre>
 */
final class AdoptRoutes {
    private static final int MAX_PATHS = 10_000;

    private final LibraryIndex index;
    private final ManifestFile manifest;

    AdoptRoutes(LibraryIndex index, ManifestFile manifest) {
        this.index = index;
        this.manifest = manifest;
    }

    Reply adopt(Request r) throws IOException {
        JsonValue body = r.json(AddRoutes.MAX_BATCH_BODY);
        if (!body.isObject() || !body.asObject().names().stream()
                .allMatch(n -> n.equals("paths") || n.equals("update"))) {
            throw ApiException.badRequest("send {} (every identified file) or {\"paths\": [...],"
                    + " \"update\": \"notify\" | \"auto\"}");
        }
        String update = policy(body.asObject().get("update"));
        JsonArray problems = new JsonArray();
        List<LibraryFile> files = chosen(body.asObject().get("paths"), problems);
        List<ManifestEntry> entries = new ArrayList<>();
        JsonArray adopted = new JsonArray();
        for (LibraryFile f : files) {
            try {
                entries.add(EntryParser.parse(entry(f, update)));
                adopted.add(new JsonObject().add("path", f.path())
                        .add("model_id", JsonValues.nullable(f.modelId()))
                        .add("version_id", JsonValues.nullable(f.versionId())));
            } catch (EntryParser.InvalidEntry e) {
                problems.add(new JsonObject().add("path", f.path()).add("reason", e.getMessage()));
            }
        }
        int added;
        try {
            added = manifest.append(entries);
        } catch (Manifest.ManifestException e) {
            throw new ApiException(409, "manifest_invalid",
                    e.getMessage() + "; fix it, then adopt again");
        }
        return Reply.ok(new JsonObject().add("added", added)
                .add("already_in_manifest", entries.size() - added)
                .add("files", adopted).add("problems", problems).add("update", update));
    }

    private static String policy(JsonValue v) {
        if (v == null || v.isNull()) {
            return "notify";
        }
        if (v.isString() && PolicyRoutes.POLICIES.contains(v.asString())) {
            return v.asString();
        }
        throw ApiException.badRequest("\"update\" must be one of " + PolicyRoutes.POLICIES);
    }

    private List<LibraryFile> chosen(JsonValue paths, JsonArray problems) {
        if (paths == null || paths.isNull()) {
            return index.identified();
        }
        if (!paths.isArray() || paths.asArray().size() > MAX_PATHS) {
            throw ApiException.badRequest("\"paths\" must be a list of up to " + MAX_PATHS
                    + " paths");
        }
        List<LibraryFile> out = new ArrayList<>();
        for (JsonValue p : paths.asArray()) {
            if (!p.isString() || p.asString().indexOf('\0') >= 0) {
                throw ApiException.badRequest("\"paths\" must hold strings, not " + p);
            }
            String path = Path.of(p.asString()).toAbsolutePath().normalize().toString();
            LibraryFile f = index.byPath(path).orElse(null);
            String why = f == null ? "not in the library (scan first)"
                    : !f.state().equals(LibraryFile.PRESENT) ? "missing since the last scan"
                    : f.entryJson() == null ? "not identified on Civitai" : null;
            if (why == null) {
                out.add(f);
            } else {
                problems.add(new JsonObject().add("path", path).add("reason", why));
            }
        }
        return out;
    }

    private static JsonObject entry(LibraryFile f, String update) {
        JsonObject entry = Json.parse(f.entryJson()).asObject();
        if (f.modelType() != null) {
            // where the file is says more than Civitai's type
            entry.set("model_type", f.modelType());
        }
        return entry.set("filename", f.name()).set("adopted", true).set("path", f.path())
                .set("update", update);
    }
}
