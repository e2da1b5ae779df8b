package civitai.daemon.store.jobs;

import java.net.URI;
import java.util.Objects;

/**
 * What to download: a validated manifest entry as the store keeps it.
 *
 * @param modelType      the folder segment under download_dir (already checked as safe)
 * @param filename       the file name (already checked as safe), or null to take it from the server
 * @param expectedSha256 lower-case hex, or null when unknown
 * @param expectedSize   bytes, or null when unknown
 * @param entryJson      the entry as given, extra fields included
 * @param exactSize      whether {@code expectedSize} is exact (bytes), not rounded (such as
 *                       Civitai's sizeKB)
 */
public record JobSpec(
        Long modelId,
        String modelType,
        String filename,
        URI url,
        String expectedSha256,
        Long expectedSize,
        int priority,
        String updatedAt,
        String entryJson,
        boolean exactSize) {

    public JobSpec {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(entryJson, "entryJson");
    }

    /** A spec whose size, if it has one, may be rounded. */
    public JobSpec(Long modelId, String modelType, String filename, URI url, String expectedSha256,
            Long expectedSize, int priority, String updatedAt, String entryJson) {
        this(modelId, modelType, filename, url, expectedSha256, expectedSize, priority, updatedAt,
                entryJson, false);
    }

    /**
     * The identity that keeps a restart from duplicating a job: the same file of the same
     * content. Without a filename the URL stands in for it.
     */
    public String key() {
        String name = filename != null ? filename : "url:" + withoutUserInfo(url);
        return modelType + "/" + name + (expectedSha256 == null ? "" : "#" + expectedSha256);
    }

    /** {@code url} without {@code user:password@}: what may be shown, stored as text, or logged. */
    public static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) {
            return url;
        }
        String s = url.toString();
        int at = s.indexOf(url.getRawUserInfo() + "@");
        return URI.create(s.substring(0, at) + s.substring(at + url.getRawUserInfo().length() + 1));
    }
}
