package civitai.daemon.civitai;

import civitai.daemon.config.FilePreferences;
import civitai.daemon.target.SafeName;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Turns a {@link Reference} into a manifest entry: the version (the newest published one when
 * only the model is given — by {@code publishedAt}, then id, never by position), the file (the
 * one asked for, else the primary, else a SafeTensor model file), and from them {@code url} (with
 * {@code ?fileId=}), {@code filename}, {@code sha256}, {@code model_type}, {@code modelId},
 * {@code versionId}, {@code updatedAt}, {@code sizeKB}. {@link FilePreferences} pick among several
 * model files. Files that Civitai's pickle or virus scan
 * did not pass are refused unless unscanned files are allowed. Thread-safe.
 */
public final class Resolver {
    private final CivitaiClient client;
    private final boolean allowUnscanned;
    private final FilePreferences preferences;

    /** A reference that cannot become an entry, with the reason in words. */
    public static final class Unresolvable extends Exception {
        private static final long serialVersionUID = 1L;
        private final Duration retryAfter;

        Unresolvable(String message) {
            this(message, null);
        }

        Unresolvable(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        /** When asking again may succeed (Civitai is rate limiting), else null. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    public Resolver(CivitaiClient client, boolean allowUnscanned, FilePreferences preferences) {
        this.client = client;
        this.allowUnscanned = allowUnscanned;
        this.preferences = preferences;
    }

    public JsonObject resolve(Reference ref) throws Unresolvable, InterruptedException {
        try {
            if (ref instanceof Reference.Hash h) {
                JsonObject version = client.versionByHash(h.hash());
                return entry(version, fileWithHash(version, h.hash()));
            }
            long versionId = switch (ref) {
                case Reference.Model m -> m.versionId() != null ? m.versionId()
                        : Versions.newest(client.model(m.modelId()));
                case Reference.Version v -> v.versionId();
                case Reference.Hash h -> throw new IllegalStateException("handled above");
            };
            JsonObject version = client.version(versionId);
            if (ref instanceof Reference.Model m
                    && version.getLong("modelId", m.modelId()) != m.modelId()) {
                throw new Unresolvable("version " + versionId + " belongs to model "
                        + version.getLong("modelId", 0) + ", not " + m.modelId());
            }
            return entry(version, chooseFile(version, ref.fileId(), preferences));
        } catch (CivitaiException e) {
            throw new Unresolvable(e.getMessage(), e.retryAfter());
        }
    }

    static JsonObject chooseFile(JsonObject version, Long fileId, FilePreferences preferences)
            throws Unresolvable {
        JsonValue list = version.get("files");
        if (list == null || !list.isArray() || list.asArray().isEmpty()) {
            throw new Unresolvable("version " + version.getLong("id", 0)
                    + " has no files to download" + (version.get("model") != null
                            && "Archived".equals(version.get("model").asObject()
                            .getString("mode", "")) ? " (the model is archived)" : ""));
        }
        JsonObject primary = null;
        JsonObject safeTensor = null;
        for (JsonValue v : list.asArray()) {
            JsonObject f = v.asObject();
            if (fileId != null) {
                if (f.getLong("id", -1) == fileId) {
                    return f;
                }
                continue;
            }
            if (f.getBoolean("primary", false) && primary == null) {
                primary = f;
            }
            JsonValue meta = f.get("metadata");
            if (safeTensor == null && "Model".equals(f.getString("type", "")) && meta != null
                    && meta.isObject() && "SafeTensor".equals(meta.asObject()
                            .getString("format", ""))) {
                safeTensor = f;
            }
        }
        if (fileId != null) {
            throw new Unresolvable("version " + version.getLong("id", 0) + " has no file "
                    + fileId);
        }
        if (!preferences.isEmpty()) {
            JsonObject best = null;
            for (JsonValue v : list.asArray()) {
                JsonObject f = v.asObject();
                boolean model = !Set.of("VAE", "Training Data", "Config", "Archive")
                        .contains(f.getString("type", ""));
                int score = FileScore.of(preferences, f);
                int bestScore = best == null ? -1 : FileScore.of(preferences, best);
                if (model && (score > bestScore || (score == bestScore && f == primary))) {
                    best = f;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return primary != null ? primary : safeTensor != null ? safeTensor
                : list.asArray().get(0).asObject();
    }

    /**
     * The entry for the newest file of {@code version} that matches an earlier entry's choice: the
     * same kind of file (its extension), else the preferred one.
     */
    public JsonObject entryLike(JsonObject version, String previousFilename) throws Unresolvable {
        JsonObject chosen = chooseFile(version, null, preferences);
        String ext = extension(previousFilename);
        JsonValue list = version.get("files");
        if (ext != null && !ext.equals(extension(chosen.getString("name", null)))) {
            for (JsonValue v : list.asArray()) {
                JsonObject f = v.asObject();
                if (ext.equals(extension(f.getString("name", null)))
                        && !"VAE".equals(f.getString("type", ""))) {
                    chosen = f;
                    break;
                }
            }
        }
        return entry(version, chosen);
    }

    private static String extension(String name) {
        if (name == null || name.lastIndexOf('.') < 0) {
            return null;
        }
        return name.substring(name.lastIndexOf('.')).toLowerCase(Locale.ROOT);
    }

    /**
     * The file of a by-hash answer that has the hash (any hash type); for a full SHA-256 that no
     * file lists, the preferred one (Civitai matched it, and some old files list a wrong SHA256).
     */
    private JsonObject fileWithHash(JsonObject version, String hash) throws Unresolvable {
        JsonValue list = version.get("files");
        if (list != null && list.isArray()) {
            for (JsonValue v : list.asArray()) {
                JsonValue hashes = v.asObject().get("hashes");
                if (hashes != null && hashes.isObject()) {
                    for (JsonObject.Member m : hashes.asObject()) {
                        if (m.getValue().isString()
                                && m.getValue().asString().equalsIgnoreCase(hash)) {
                            return v.asObject();
                        }
                    }
                }
            }
        }
        if (hash.length() < 64) {  // a short hash names one file, or the answer is not for it
            throw new Unresolvable("Civitai's version " + version.getLong("id", 0) + " for hash "
                    + hash + " lists no file with that hash");
        }
        return chooseFile(version, null, preferences);
    }

    private JsonObject entry(JsonObject version, JsonObject file) throws Unresolvable {
        checkScans(file);
        return describe(version, file);
    }

    /**
     * The entry for the file of a by-hash answer whose SHA-256 is {@code sha256}: the file is on
     * disk already, so Civitai's scans of it are not asked about; null when no file has the hash.
     */
    public static JsonObject entryForFile(JsonObject version, String sha256) throws Unresolvable {
        JsonValue list = version.get("files");
        if (list != null && list.isArray()) {
            for (JsonValue v : list.asArray()) {
                JsonValue hashes = v.isObject() ? v.asObject().get("hashes") : null;
                if (hashes != null && hashes.isObject()
                        && sha256.equalsIgnoreCase(hashes.asObject().getString("SHA256", ""))) {
                    return describe(version, v.asObject());
                }
            }
        }
        return null;
    }

    private static JsonObject describe(JsonObject version, JsonObject file) throws Unresolvable {
        long versionId = version.getLong("id", 0);
        long fileId = file.getLong("id", 0);
        String name = file.getString("name", null);
        var safe = SafeName.sanitise(name);
        if (safe.isEmpty()) {
            throw new Unresolvable("Civitai's file name \"" + name
                    + "\" is not usable as a file name");
        }
        JsonObject model = version.get("model") != null && version.get("model").isObject()
                ? version.get("model").asObject() : new JsonObject();
        JsonObject entry = new JsonObject()
                .add("url", downloadUrl(file.getString("downloadUrl", null), versionId, fileId))
                .add("model_type", ModelTypes.of(model.getString("type", null),
                        file.getString("type", null)))
                .add("filename", safe.get())
                .add("modelId", version.getLong("modelId", 0))
                .add("versionId", versionId)
                .add("fileId", fileId);
        String sha = file.get("hashes") != null
                ? file.get("hashes").asObject().getString("SHA256", null) : null;
        if (sha != null) {
            entry.add("sha256", sha.toLowerCase(Locale.ROOT));
        }
        String updatedAt = version.getString("updatedAt", version.getString("publishedAt", null));
        if (updatedAt != null) {
            entry.add("updatedAt", updatedAt);
        }
        if (file.get("sizeKB") != null && file.get("sizeKB").isNumber()) {
            entry.add("sizeKB", file.get("sizeKB"));
        }
        if (model.getString("name", null) != null) {
            entry.add("name", model.getString("name", null) + " " + version.getString("name", ""));
        }
        return entry;
    }

    private void checkScans(JsonObject file) throws Unresolvable {
        if (allowUnscanned) {
            return;
        }
        for (String scan : new String[] {"pickleScanResult", "virusScanResult"}) {
            String result = file.getString(scan, "Pending");
            if (!result.equals("Success")) {
                throw new Unresolvable("Civitai's "
                        + (scan.startsWith("pickle") ? "pickle" : "virus") + " scan of "
                        + file.getString("name", "the file") + " is " + result + ", not Success;"
                        + " set \"allow_unscanned\": true to download it anyway");
            }
        }
    }

    /** Civitai's own download URL for the file, with {@code ?fileId=} so the right file comes. */
    private static String downloadUrl(String given, long versionId, long fileId)
            throws Unresolvable {
        if (given == null) {
            throw new Unresolvable("Civitai gave no download URL for version " + versionId);
        }
        URI uri = URI.create(given);
        String query = uri.getRawQuery();
        if (query != null && query.contains("fileId=")) {
            return given;
        }
        return given + (query == null ? "?" : "&") + "fileId=" + fileId;
    }
}
