package civitai.daemon.library;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How a scan went: {@code files} present under the scanned roots, {@code hashed} of them hashed
 * this time (new or changed), {@code moved} recognised at a new path by inode or hash,
 * {@code missing} gone since the last scan, {@code skipped} paths refused.
 */
public record ScanResult(String root, Instant started, Instant finished, long files, long hashed,
        long moved, long missing, List<Skip> skipped, boolean cancelled, String error) {
    public ScanResult {
        skipped = List.copyOf(skipped);
    }

    /** A path a scan refused (a link out of the roots, a loop, an unreadable file), and why. */
    public record Skip(String path, String reason) {}

    public Duration took() {
        return Duration.between(started, finished);
    }
}
