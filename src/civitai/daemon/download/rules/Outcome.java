package civitai.daemon.download.rules;

import java.nio.file.Path;
import java.time.Duration;

/** How one attempt at a job ended. */
public sealed interface Outcome {
    /** The verified file is in place. {@code downloaded} is false when it was already there. */
    public record Done(Path target, String sha256, long bytes,
            boolean downloaded) implements Outcome {}

    /**
     * Worth another attempt. {@code after} is the server's Retry-After (or a quota wait), null for
     * the normal backoff; {@code code} is the failure reason if no attempt is left.
     */
    public record Retry(String code, String message, Duration after, Integer status, long bytes)
            implements Outcome {}

    /** No attempt can succeed; the job fails with this reason. */
    public record Fail(String code, String message, Integer status,
            long bytes) implements Outcome {}
}
