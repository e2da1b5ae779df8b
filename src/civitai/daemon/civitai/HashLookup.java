package civitai.daemon.civitai;

import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which Civitai versions files on disk are, by their SHA-256: up to
 * {@link CivitaiClient#MAX_HASHES} per call to the bulk by-hash endpoint, through the one client
 * and its limiter. Thread-safe.
 */
public final class HashLookup {
    /**
     * What Civitai knows of a file.
     *
     * @param entryJson the manifest entry a download of this file would have had
     */
    public record Match(String sha256, long modelId, long versionId, String name, String modelType,
            String entryJson) {}

    private final CivitaiClient client;

    public HashLookup(CivitaiClient client) {
        this.client = client;
    }

    /**
     * The matches among {@code sha256s} (lower-case hex), keyed by hash; unknown hashes are absent.
     */
    public Map<String, Match> find(List<String> sha256s)
            throws CivitaiException, InterruptedException {
        Set<String> wanted = new HashSet<>(sha256s);
        Map<String, Match> out = new HashMap<>();
        for (JsonObject version : client.versionsByHash(sha256s)) {
            for (String sha : hashes(version)) {
                if (wanted.contains(sha) && !out.containsKey(sha)) {
                    match(version, sha).ifPresent(m -> out.put(sha, m));
                }
            }
        }
        return out;
    }

    private static Optional<Match> match(JsonObject version, String sha) {
        JsonObject entry;
        try {
            entry = Resolver.entryForFile(version, sha);
        } catch (Resolver.Unresolvable e) {
            entry = null;  // a file Civitai names unusably: still known, with no entry to adopt
        }
        JsonValue model = version.get("model");
        String modelName = model != null && model.isObject()
                ? model.asObject().getString("name", null) : null;
        String type = model != null && model.isObject() ? model.asObject().getString("type", null)
                : null;
        String name = modelName == null ? version.getString("name", null)
                : modelName + " " + version.getString("name", "");
        return Optional.of(new Match(sha, version.getLong("modelId", 0), version.getLong("id", 0),
                name == null ? null : name.strip(), ModelTypes.of(type, null),
                entry == null ? null : entry.toString()));
    }

    private static List<String> hashes(JsonObject version) {
        List<String> out = new ArrayList<>();
        JsonValue files = version.get("files");
        if (files != null && files.isArray()) {
            for (JsonValue f : files.asArray()) {
                JsonValue h = f.isObject() ? f.asObject().get("hashes") : null;
                if (h != null && h.isObject() && h.asObject().get("SHA256") != null
                        && h.asObject().get("SHA256").isString()) {
                    out.add(h.asObject().get("SHA256").asString().toLowerCase(Locale.ROOT));
                }
            }
        }
        return out;
    }
}
