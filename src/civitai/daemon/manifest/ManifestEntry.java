package civitai.daemon.manifest;

import civitai.daemon.store.jobs.JobSpec;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.net.URI;

/**
 * One validated manifest entry. The original JSON text is kept so extra fields survive.
 *
 * @param sha256       lower-case hex, or null
 * @param expectedSize bytes, from the entry's {@code size} (bytes) or {@code sizeKB}; or null
 * @param exactSize    true when it came from {@code size} (exact), false from {@code sizeKB}
 *                     (rounded)
 */
public record ManifestEntry(
        Long modelId,
        String modelType,
        String sha256,
        URI url,
        String filename,
        int priority,
        String updatedAt,
        Long expectedSize,
        boolean exactSize,
        String json) {

    /**
     * True for an entry the library adopted ({@code "adopted": true}): its file is on disk
     * already, so it is tracked for updates and never queued as a download.
     */
    public boolean adopted() {
        try {
            JsonValue v = Json.parse(json);
            return v.isObject() && v.asObject().getBoolean("adopted", false);
        } catch (ParseException | UnsupportedOperationException e) {
            return false;
        }
    }

    public JobSpec toSpec() {
        return new JobSpec(modelId, modelType, filename, url, sha256, expectedSize, priority,
                updatedAt, json, exactSize);
    }
}
