package civitai.daemon.download.fetch;

import java.net.http.HttpHeaders;
import java.util.Locale;

/**
 * The one place that reads an HTTP answer to a request for a file's bytes ({@link Answer}): a
 * redirect, a refusal (an error status, or a document where the file should be), a range the
 * server ignored, a changed validator, the asked-for bytes. Pure and thread-safe.
 */
public final class AnswerClassifier {
    private AnswerClassifier() {}

    /**
     * What was asked, and what the part knows.
     *
     * @param from         the first byte asked for (0: the whole file)
     * @param to           the last byte asked for (inclusive), or -1 for the rest of the file
     * @param validator    the strong ETag (or Last-Modified) the bytes so far came with, or null
     * @param total        the file's size when known, else null
     * @param partLength   the bytes the part holds from byte 0
     * @param expectedSize the size the entry promises, or null
     */
    public record Asked(long from, long to, String validator, Long total, long partLength,
            Long expectedSize) {
        public static Asked whole() {
            return new Asked(0, -1, null, null, 0, null);
        }
    }

    /**
     * Classifies an answer. {@code head} is the body's first bytes, or null when they are not to
     * be looked at (a segment's answer: its bytes are checked by the file's hash).
     */
    public static Answer classify(Asked asked, int status, HttpHeaders headers, byte[] head) {
        var location = headers.firstValue("Location");
        if (isRedirect(status) && location.isPresent()) {
            return new Answer.Redirect(location.get());
        }
        if (status == 416 && asked.from() > 0) {
            ContentRange range = ContentRange.parse(headers.firstValue("Content-Range")
                    .orElse(null));
            boolean whole = range != null && range.total() != null
                    && range.total() == asked.partLength();
            return whole ? new Answer.Complete() : new Answer.Changed(416);
        }
        if (status >= 300) {
            return refused(status, headers);
        }
        String encoding = encoding(headers);
        if (encoding != null) {
            return new Answer.Encoded(status, encoding);
        }
        Long length = headers.firstValueAsLong("Content-Length").stream().boxed().findFirst()
                .orElse(null);
        if (head != null && isDocument(head, headers, asked.expectedSize(), length)) {
            return new Answer.Refused(status, Answer.Refusal.FINAL, null);
        }
        if (status != 206) {
            return asked.from() == 0 ? new Answer.File(status, 0, length, validator(headers))
                    : new Answer.RangeIgnored(status, length, validator(headers),
                            changed(asked, headers));
        }
        return partial(asked, headers);
    }

    /**
     * A 206 must keep the validator and be exactly the range asked, of a file of the known size.
     */
    private static Answer partial(Asked asked, HttpHeaders headers) {
        if (changed(asked, headers)) {
            return new Answer.Changed(206);
        }
        String header = headers.firstValue("Content-Range").orElse(null);
        ContentRange range = ContentRange.parse(header);
        boolean exact = range != null && range.start() == asked.from()
                && (asked.to() < 0 || range.end() == asked.to())
                && (range.total() == null || asked.total() == null
                        || range.total().equals(asked.total()));
        if (!exact) {
            return new Answer.WrongRange(206, header == null ? "" : header);
        }
        return new Answer.File(206, asked.from(), range.total(), validator(headers));
    }

    private static Answer.Refused refused(int status, HttpHeaders headers) {
        Answer.Refusal kind = switch (status) {
            case 429 -> Answer.Refusal.RATE_LIMITED;
            case 503 -> Answer.Refusal.BUSY;
            case 408, 425 -> Answer.Refusal.TRANSIENT;
            case 400, 401, 403, 404, 410 -> Answer.Refusal.URL_REFUSED;
            default -> status >= 500 ? Answer.Refusal.TRANSIENT : Answer.Refusal.FINAL;
        };
        return new Answer.Refused(status, kind,
                RetryAfter.of(status, headers).orElse(null));
    }

    /** The part came with a strong ETag, and this answer carries another. */
    private static boolean changed(Asked asked, HttpHeaders headers) {
        String etag = headers.firstValue("ETag").orElse(null);
        String known = asked.validator();
        return etag != null && known != null && known.startsWith("\"") && !etag.equals(known);
    }

    /**
     * A document, not a file: an HTML page, XML or JSON by its first bytes (or any text served
     * as text), unless the answer is about as large as the file.
     */
    private static boolean isDocument(byte[] head, HttpHeaders headers, Long expectedSize,
            Long length) {
        String type = headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        boolean textual = type.startsWith("text/") || type.contains("json") || type.contains("xml");
        if (!BodyText.isDocument(head) && !(textual && BodyText.isText(head))) {
            return false;  // bytes that are no text: a file, whatever the Content-Type says
        }
        return expectedSize == null || length == null || length < expectedSize / 2;
    }

    /**
     * The answer's Content-Encoding when it is not identity (which the request asked for), else
     * null.
     */
    private static String encoding(HttpHeaders headers) {
        String value = String.join(", ", headers.allValues("Content-Encoding")).strip()
                .toLowerCase(Locale.ROOT);
        return value.isEmpty() || value.equals("identity") ? null : value;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** What a resume must match: the strong ETag, else Last-Modified; null for neither. */
    public static String validator(HttpHeaders headers) {
        var etag = headers.firstValue("ETag").filter(e -> !e.startsWith("W/"));
        return etag.or(() -> headers.firstValue("Last-Modified")).orElse(null);
    }
}
