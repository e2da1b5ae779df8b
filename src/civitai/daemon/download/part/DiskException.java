package civitai.daemon.download.part;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A local file operation failed (disk full, no permission): not the network's fault, not retried.
 */
public final class DiskException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean diskFull;

    public DiskException(String message, IOException cause, boolean diskFull) {
        super(message, cause);
        this.diskFull = diskFull;
    }

    /** The file system said it has no space left. */
    public boolean isDiskFull() {
        return diskFull;
    }

    public static DiskException of(String action, Path path, IOException cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage();
        boolean full = why.toLowerCase(Locale.ROOT).contains("no space");
        if (full) {
            why = "disk full (" + why + ")";
        }
        return new DiskException("cannot " + action + " " + path + ": " + why, cause, full);
    }
}
