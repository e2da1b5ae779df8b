package civitai.daemon.target;

/**
 * How a target may be made from a file the library already holds with the job's SHA-256
 * ({@code library_reuse}): a hard {@code LINK} (a copy when linking fails), a {@code COPY}, or
 * never ({@code OFF}).
 */
public enum ReuseMode {
    LINK, COPY, OFF
}
