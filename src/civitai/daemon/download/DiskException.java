package civitai.daemon.download;

import java.io.IOException;

/** A local file operation failed (disk full, no permission): not the network's fault, not retried. */
final class DiskException extends IOException {
    private static final long serialVersionUID = 1L;

    DiskException(String message, IOException cause) {
        super(message, cause);
    }

    static DiskException of(String action, java.nio.file.Path path, IOException cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (why.toLowerCase(java.util.Locale.ROOT).contains("no space")) {
            why = "disk full (" + why + ")";
        }
        return new DiskException("cannot " + action + " " + path + ": " + why, cause);
    }
}
