package civitai.daemon.huggingface;

import civitai.daemon.config.AtomicWrite;
import civitai.daemon.log.DaemonLog;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code <stem>.hf.json} beside a file downloaded from the Hub: where it came from (repo, path,
 * revision asked, commit resolved), how to check it (sha256, size) and the URL pinned to the
 * commit, so the file can be traced and fetched again without the manifest. Only the entry's
 * own fields are written: the token lives in the config and the signed CDN URL is never kept,
 * so neither can reach it. A local write, done on the caller's thread; a failure is logged, never
 * fatal. Stateless; thread-safe.
 */
public final class HfSidecar {
    /** The entry's fields the sidecar carries, in this order. */
    private static final List<String> FIELDS =
            List.of("repo", "path", "revision", "commit", "sha256", "size");

    private final DaemonLog log;

    public HfSidecar(DaemonLog log) {
        this.log = log;
    }

    /** True when {@code entryJson} is an entry {@link HfEntries} resolved from the Hub. */
    public static boolean fromHub(String entryJson) {
        return entry(entryJson).map(e -> "huggingface".equals(e.getString("source", null)))
                .orElse(false);
    }

    /** Writes the sidecar of {@code model} when its entry came from the Hub; else nothing. */
    public void afterDownload(Path model, String entryJson) {
        Optional<JsonObject> entry = entry(entryJson)
                .filter(e -> "huggingface".equals(e.getString("source", null)));
        if (entry.isEmpty()) {
            return;
        }
        Path target = model.resolveSibling(stem(model.getFileName().toString()) + ".hf.json");
        try {
            AtomicWrite.replace(target, document(entry.get()).toString(WriterConfig.PRETTY_PRINT)
                    + "\n");
        } catch (IOException | RuntimeException e) {
            log.warn("sidecar " + target + " not written: " + e.getMessage());
        }
    }

    static JsonObject document(JsonObject entry) {
        JsonObject out = new JsonObject();
        for (String key : FIELDS) {
            JsonValue v = entry.get(key);
            if (v != null && !v.isNull()) {
                out.add(key, v);
            }
        }
        String url = entry.getString("url", null);
        if (url != null) {
            out.add("url", HfReference.bare(url));
        }
        return out;
    }

    private static Optional<JsonObject> entry(String entryJson) {
        try {
            JsonValue v = entryJson == null ? null : Json.parse(entryJson);
            return v != null && v.isObject() ? Optional.of(v.asObject()) : Optional.empty();
        } catch (ParseException e) {
            return Optional.empty();
        }
    }

    private static String stem(String filename) {
        int dot = filename.lastIndexOf('.');
        return dot > 0 ? filename.substring(0, dot) : filename;
    }
}
