package civitai.daemon.civitai;

/** Civitai could not answer a metadata request usefully; the message says why in words. */
public final class CivitaiException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CivitaiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, 0 when there was no answer at all. */
    public int status() {
        return status;
    }
}
