package civitai.daemon.library.index;

import java.nio.file.Path;
import java.util.Objects;

/** A model file a walk found: where, under which root, and its size, mtime and inode now. */
public record Found(Path path, Root root, long size, long mtimeMillis, String inode) {
    /** True when a row still describes this file as it is: nothing to hash again. */
    public boolean sameAs(LibraryFile row) {
        return row.size() == size && row.mtimeMillis() == mtimeMillis
                && Objects.equals(row.inode(), inode) && row.sha256() != null;
    }
}
