package civitai.daemon.library.index;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A folder the library indexes. Only {@code download_dir} is {@code writable}: the daemon never
 * changes a file in any other root.
 *
 * @param path     absolute and normalised
 * @param writable true for download_dir alone
 */
public record Root(Path path, boolean writable) {
    public Root {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("a library root must be absolute: " + path);
        }
        path = path.normalize();
    }

    public boolean contains(Path p) {
        return p.normalize().startsWith(path);
    }
}
