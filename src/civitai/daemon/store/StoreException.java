package civitai.daemon.store;

/**
 * A database operation failed; unchecked because callers can only report it. A write the disk
 * had no room for is the one kind a caller may wait out: {@link DatabaseFull}.
 */
public sealed class StoreException extends RuntimeException permits DatabaseFull {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
