package civitai.daemon.target;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one job's file goes: its resolved path under download_dir (after the layout), and the key
 * two jobs share exactly when they would write the same file. The key is the path as the file
 * system compares it (case-folded where it folds case), so the queue, the attempt's claim, the
 * store and the supersede rule all ask the same question of one value. Immutable.
 *
 * @param path the normalised absolute path of the final file
 * @param key  what identifies the file on this file system
 */
public record Target(Path path, String key) {
    public Target {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(key, "key");
    }

    /** The unfinished download beside the file. */
    public Path part() {
        return Targets.part(path);
    }
}
