package civitai.daemon.download;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;

/**
 * Opening an answer: is it the file, and where do its bytes start? An error status, or a body whose
 * first bytes are an HTML page, XML or JSON (and far smaller than the file), is a refusal worded by
 * the {@link RefusalReader} for its host or the engine's plain words; a 206 must start where it
 * was asked to and keep the validator; anything else is the file, whatever its Content-Type says
 * (the hash has the last word). Thread-safe.
 */
final class ResponseCheck {
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    /** What to do with an answer. */
    sealed interface Verdict {
        /** The file's bytes, from {@code start}; {@code total} is null when unknown. */
        record File(int status, long start, Long total, String validator) implements Verdict {}

        /** 416 to a resume whose part already holds the whole file. */
        record Whole() implements Verdict {}

        /**
         * Not the file, or not the asked-for bytes: the attempt ends with this. {@code resetPart}:
         * the next attempt starts from byte 0 (the bytes so far are not this file's, or a resume
         * was refused, and asking for the same range again would only repeat that).
         */
        record Stop(Outcome outcome, boolean resetPart) implements Verdict {}
    }

    private final RefusalReader reader;
    private final RetryPolicy policy;
    private final HostGate gate;

    ResponseCheck(RefusalReader reader, RetryPolicy policy, HostGate gate) {
        this.reader = reader;
        this.policy = policy;
        this.gate = gate;
    }

    /**
     * Classifies an answer to a request for bytes from {@code asked} (0: the whole file).
     *
     * @param validator    the strong ETag (or Last-Modified) the bytes so far came with, or null
     * @param expectedSize the size the entry promises, or null
     */
    Verdict check(HttpFetch.Response fetched, BodyStream body, long asked, String validator, Long expectedSize,
            long partLength) throws IOException {
        var r = fetched.response();
        int status = r.statusCode();
        HttpHeaders headers = r.headers();
        if (status == 416 && asked > 0) {
            ContentRange range = ContentRange.parse(headers.firstValue("Content-Range").orElse(null));
            if (range != null && range.total() != null && range.total() == partLength) {
                return new Verdict.Whole();
            }
            return new Verdict.Stop(new Outcome.Retry("resume_mismatch", "the server cannot resume this part"
                    + " (416); restarting the file", Duration.ZERO, 416, 0), true);
        }
        if (status >= 300) {
            return refused(fetched, body, asked, partLength);
        }
        Long length = headers.firstValueAsLong("Content-Length").stream().boxed().findFirst().orElse(null);
        if (isDocument(body, headers, expectedSize, length)) {
            return refused(fetched, body, asked, partLength);
        }
        return place(status, headers, asked, validator, length, partLength);
    }

    /** A 200 starts at zero; a 206 must start at {@code asked} with the same strong validator. */
    private static Verdict place(int status, HttpHeaders headers, long asked, String validator, Long length,
            long partLength) {
        String now = validator(headers);
        if (status != 206) {
            return new Verdict.File(status, 0, length, now);
        }
        ContentRange range = ContentRange.parse(headers.firstValue("Content-Range").orElse(null));
        String etag = headers.firstValue("ETag").orElse(null);
        boolean changed = etag != null && validator != null && validator.startsWith("\"") && !etag.equals(validator);
        if (range == null || range.start() != asked || changed) {
            return new Verdict.Stop(new Outcome.Retry("resume_mismatch", "the server resumed at a different"
                    + " byte; restarting the file", Duration.ZERO, status, 0), true);
        }
        return new Verdict.File(status, asked, range.total(), now);
    }

    /**
     * A document, not a file: an HTML page, XML or JSON by its first bytes (or any text served
     * as text), unless the answer is about as large as the file.
     */
    private static boolean isDocument(BodyStream body, HttpHeaders headers, Long expectedSize, Long length)
            throws IOException {
        byte[] head = body.head(BodyText.SNIFF);
        String type = headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        boolean textual = type.startsWith("text/") || type.contains("json") || type.contains("xml");
        if (!BodyText.isDocument(head) && !(textual && BodyText.isText(head))) {
            return false;  // bytes that are no text: a file, whatever the Content-Type says
        }
        return expectedSize == null || length == null || length < expectedSize / 2;
    }

    private Verdict refused(HttpFetch.Response fetched, BodyStream body, long asked, long partLength)
            throws IOException {
        var r = fetched.response();
        int status = r.statusCode();
        URI from = fetched.uri();
        String printable = BodyText.printable(body.bytes(ERROR_BODY_LIMIT));
        String type = r.headers().firstValue("Content-Type").orElse(null);
        RefusalReader.Reason reason = reader.read(from, status, type, printable);
        if (reason == null) {
            reason = PlainRefusals.read(from, status, type, printable);
        }
        String message = reason.message() + " [from " + from.getRawAuthority() + "]";
        Outcome outcome = outcome(reason.code(), message, status, from, r.headers(), partLength);
        boolean cleanStart = asked > 0 && outcome instanceof Outcome.Fail;
        if (cleanStart) {
            outcome = new Outcome.Fail(reason.code(), message + "; this answered a resume from byte " + asked
                    + ", so a retry asks for the whole file", status, partLength);
        }
        return new Verdict.Stop(outcome, cleanStart);
    }

    private Outcome outcome(String code, String message, int status, URI from, HttpHeaders headers, long bytes) {
        if (status == 429) {  // Civitai's download quota gives no Retry-After: wait long
            Duration wait = policy.retryAfter(headers).orElse(policy.max());
            gate.closeFor(from, wait);  // Civitai's metadata calls and update checks wait too
            return new Outcome.Retry(code, message, wait, status, bytes);
        }
        if (status == 408 || status == 425 || status >= 500) {
            return new Outcome.Retry(code, message, policy.retryAfter(headers).orElse(null), status, bytes);
        }
        return new Outcome.Fail(code, message, status, bytes);
    }

    static String validator(HttpHeaders headers) {
        var etag = headers.firstValue("ETag").filter(e -> !e.startsWith("W/"));
        return etag.or(() -> headers.firstValue("Last-Modified")).orElse(null);
    }
}
