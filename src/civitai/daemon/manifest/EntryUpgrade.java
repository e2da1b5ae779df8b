package civitai.daemon.manifest;

import civitai.daemon.config.ManifestMode;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * What an update does to an entry, whichever source found it: the entry's {@code "update"}
 * policy ({@code auto}, the default; {@code notify}; {@code pin}, never checked) and, for
 * {@code auto}, manifest.json rewritten by {@code manifest_mode} ({@code replace} swaps the entry,
 * {@code append} keeps the old one and adds the new beside it, under a new file name when the
 * names clash) and the new entry queued. The user's own fields survive. Thread-safe (the manifest
 * file serialises the writes).
 */
public final class EntryUpgrade {
    /** The new entry could not be recorded: nothing was queued. */
    public static final class Unrecorded extends Exception {
        private static final long serialVersionUID = 1L;

        Unrecorded(String message) {
            super(message);
        }
    }

    private final ManifestFile manifest;
    private final ManifestMode manifestMode;
    private final Consumer<ManifestEntry> queue;

    /** @param queue queues a new entry's download */
    public EntryUpgrade(ManifestFile manifest, ManifestMode manifestMode,
            Consumer<ManifestEntry> queue) {
        this.manifest = manifest;
        this.manifestMode = manifestMode;
        this.queue = queue;
    }

    /** A pinned entry is never checked at all. */
    public static boolean pinned(JsonObject entry) {
        return "pin".equals(policy(entry));
    }

    /** An entry whose updates are only reported, never downloaded. */
    public static boolean notifyOnly(JsonObject entry) {
        return "notify".equals(policy(entry));
    }

    /**
     * The entry's {@code update} policy; a hand-edited value that is not text counts as the
     * default.
     */
    private static String policy(JsonObject entry) {
        var v = entry.get("update");
        return v != null && v.isString() ? v.asString() : "auto";
    }

    /**
     * Records {@code next} in place of (or beside) {@code old} and queues it; {@code suffix} tells
     * an appended file from the old one ({@code style-v7002.safetensors}).
     */
    public ManifestEntry apply(JsonObject old, JsonObject next, String suffix) throws Unrecorded {
        JsonObject replacement = carryUserFields(old, next);
        String name = replacement.getString("filename", null);
        if (manifestMode == ManifestMode.APPEND && old.getString("filename", "").equals(name)) {
            replacement.set("filename", suffixed(name, suffix));
        }
        ManifestEntry parsed;
        try {
            parsed = EntryParser.parse(replacement);
            rewrite(old, replacement);
        } catch (EntryParser.InvalidEntry | IOException | Manifest.ManifestException e) {
            throw new Unrecorded("cannot record the update: " + e.getMessage());
        }
        queue.accept(parsed);
        return parsed;
    }

    /** The user's own fields (priority, update policy, notes, model_type) survive an upgrade. */
    private static JsonObject carryUserFields(JsonObject old, JsonObject next) {
        JsonObject out = Json.parse(next.toString()).asObject();
        for (JsonObject.Member m : old) {
            if (next.get(m.getName()) == null || m.getName().equals("model_type")) {
                out.set(m.getName(), m.getValue());
            }
        }
        return out;
    }

    private void rewrite(JsonObject old, JsonObject replacement)
            throws IOException, Manifest.ManifestException {
        manifest.modify(array -> {
            JsonArray out = new JsonArray();
            boolean done = false;
            for (JsonValue v : array) {
                if (!done && v.equals(old)) {
                    done = true;
                    if (manifestMode == ManifestMode.APPEND) {
                        out.add(v);
                    }
                    out.add(replacement);
                } else {
                    out.add(v);
                }
            }
            if (!done) {
                out.add(replacement);  // the entry changed meanwhile: keep it, add the new one
            }
            return out;
        });
    }

    private static String suffixed(String filename, String suffix) {
        int dot = filename.lastIndexOf('.');
        return dot <= 0 ? filename + "-" + suffix
                : filename.substring(0, dot) + "-" + suffix + filename.substring(dot);
    }
}
