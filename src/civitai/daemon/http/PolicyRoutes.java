package civitai.daemon.http;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestFile;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each manifest model's update policy, the entry's {@code "update"} field read by the update
 * checker: {@code auto} (the default), {@code notify} or {@code pin}.
 * {@code GET /api/updates/policies} lists the models of manifest.json with theirs;
 * {@code PUT /api/updates/policies/{modelId}} sets it on every entry of that model, through the
 * same locked, atomic manifest write as everything else.
 * <pre>
 *   curl -s localhost:8123/api/updates/policies
 *   curl -s -XPUT localhost:8123/api/updates/policies/1231067 -H 'Content-Type: application/json' \
 *        -d '{"update": "pin"}'
 * </pre>
 */
final class PolicyRoutes {
    static final List<String> POLICIES = List.of("auto", "notify", "pin");

    private final ManifestFile manifest;

    PolicyRoutes(ManifestFile manifest) {
        this.manifest = manifest;
    }

    Reply list(Request r) throws IOException {
        Map<Long, JsonObject> models = new LinkedHashMap<>();
        for (JsonValue v : read()) {
            Long id = v.isObject() ? modelId(v.asObject()) : null;
            if (id != null && !models.containsKey(id)) {
                models.put(id, summary(id, v.asObject()));
            }
        }
        JsonArray out = new JsonArray();
        models.values().forEach(out::add);
        return Reply.ok(new JsonObject().add("models", out));
    }

    Reply set(Request r) throws IOException {
        long modelId = modelIdParam(r.params.get("modelId"));
        JsonValue body = r.json(JsonBody.MAX_BODY);
        JsonValue update = body.isObject() ? body.asObject().get("update") : null;
        if (update == null || !update.isString() || !POLICIES.contains(update.asString())
                || body.asObject().size() != 1) {
            throw ApiException.badRequest("send {\"update\": \"auto\"}, \"notify\" or \"pin\"");
        }
        boolean[] found = {false};
        try {
            manifest.modify(array -> {
                found[0] = false;  // the change runs again when the file was saved meanwhile
                for (JsonValue v : array) {
                    if (v.isObject() && Long.valueOf(modelId).equals(modelId(v.asObject()))) {
                        v.asObject().set("update", update.asString());
                        found[0] = true;
                    }
                }
                return array;
            });
        } catch (Manifest.ManifestException e) {
            throw new ApiException(409, "manifest_invalid",
                    e.getMessage() + "; fix it, then try again");
        }
        if (!found[0]) {
            throw ApiException.notFound("no manifest entry has modelId " + modelId);
        }
        return Reply.ok(new JsonObject().add("model_id", modelId).add("update", update.asString()));
    }

    private JsonArray read() throws IOException {
        try {
            return manifest.read();
        } catch (Manifest.ManifestException e) {
            throw new ApiException(409, "manifest_invalid", e.getMessage());
        }
    }

    private static JsonObject summary(long id, JsonObject entry) {
        JsonValue version = entry.get("versionId");
        return new JsonObject().add("model_id", id)
                .add("name", JsonValues.nullable(text(entry, "name")))
                .add("filename", JsonValues.nullable(text(entry, "filename")))
                .add("model_type", JsonValues.nullable(text(entry, "model_type")))
                .add("version_id", version != null && version.isNumber() ? version
                        : JsonValues.nullable((String) null))
                .add("update", entry.getString("update", "auto"));
    }

    private static String text(JsonObject o, String key) {
        JsonValue v = o.get(key);
        return v != null && v.isString() ? v.asString() : null;
    }

    private static long modelIdParam(String text) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.notFound("no manifest model " + text);
    }

    /** The entry's {@code modelId}, read as the update checker reads it. */
    private static Long modelId(JsonObject o) {
        return EntryParser.wholeNumber(o, "modelId");
    }
}
