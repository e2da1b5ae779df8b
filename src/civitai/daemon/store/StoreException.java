package civitai.daemon.store;

/** A database operation failed; unchecked because callers can only report it. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
