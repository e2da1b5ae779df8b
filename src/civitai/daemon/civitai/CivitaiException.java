package civitai.daemon.civitai;

import java.time.Duration;

/** Civitai could not answer a metadata request usefully; the message says why in words. */
public final class CivitaiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final Duration retryAfter;

    public CivitaiException(int status, String message) {
        this(status, message, null);
    }

    /** @param retryAfter when asking again makes sense (Civitai is rate limiting), else null */
    public CivitaiException(int status, String message, Duration retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** The HTTP status, 0 when there was no answer at all. */
    public int status() {
        return status;
    }

    /** How long until Civitai may be asked again; null when waiting would not help. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
