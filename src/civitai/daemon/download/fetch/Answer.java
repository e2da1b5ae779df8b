package civitai.daemon.download.fetch;

/**
 * What an HTTP answer to a request for a file's bytes means, as {@link AnswerClassifier} decides
 * it from the status, the headers and the first bytes. The callers (one connection, a segmented
 * resume, each segment's connection) decide what to do with it; none reads a status itself.
 */
public sealed interface Answer {
    /** A redirect with a Location to follow. */
    public record Redirect(String location) implements Answer {}

    /**
     * The file's bytes from {@code start}, as asked.
     *
     * @param total     the file's size; null when the server does not say
     * @param validator the strong ETag (else Last-Modified) the bytes come with; null for neither
     */
    public record File(int status, long start, Long total, String validator) implements Answer {}

    /**
     * The whole file from byte 0, to a request that asked for a later range: the server ignored
     * Range, or If-Range saw the file change ({@code changed}: its ETag differs from the part's).
     */
    public record RangeIgnored(int status, Long total, String validator,
            boolean changed) implements Answer {}

    /** 416 to a resume whose part already holds the whole file. */
    public record Complete() implements Answer {}

    /** The part is no longer this file's: a new strong ETag on a 206, or a 416 otherwise. */
    public record Changed(int status) implements Answer {}

    /**
     * The bytes in a {@code Content-Encoding} (gzip, br, …) the request did not accept: it asks for
     * {@code identity}, so a size, a resume offset and a hash would all be of other bytes than the
     * file's.
     */
    public record Encoded(int status, String encoding) implements Answer {}

    /** A 206 for other bytes than those asked, or of a file of another size. */
    public record WrongRange(int status, String contentRange) implements Answer {}

    /**
     * Not the file: an error status, or a document (an HTML page, XML, JSON) in place of it.
     *
     * @param retryAfter the server's Retry-After, or null
     */
    public record Refused(int status, Refusal kind, RetryAfter retryAfter) implements Answer {}

    /** What a refusal allows. */
    public enum Refusal {
        /** 429: the host limits how much or how often it serves. */
        RATE_LIMITED,
        /** 503: the host is busy now. */
        BUSY,
        /** 408, 425 and other 5xx: worth asking again. */
        TRANSIENT,
        /** 400, 401, 403, 404, 410: this URL is refused; a signed URL may have expired. */
        URL_REFUSED,
        /**
         * Anything else, a document in place of the file included: asking again changes nothing.
         */
        FINAL
    }
}
