package civitai.daemon.download.retry;

import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.BodyText;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.PlainRefusals;
import civitai.daemon.download.fetch.RefusalReader;
import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.download.rules.Outcome;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * Opening an answer on one connection: what the {@link AnswerClassifier} reads in it, turned
 * into what the attempt does next. A refusal is worded by the {@link RefusalReader} for its host
 * or the engine's plain words. Thread-safe.
 */
public final class ResponseCheck {
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    /** What to do with an answer. */
    public sealed interface Verdict {
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

    public ResponseCheck(RefusalReader reader, RetryPolicy policy, HostGate gate) {
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
    public Verdict check(HttpFetch.Response fetched, BodyStream body, long asked, String validator,
            Long expectedSize, long partLength) throws IOException {
        int status = fetched.response().statusCode();
        byte[] head = status < 300 ? body.head(BodyText.SNIFF) : null;
        var question = new AnswerClassifier.Asked(asked, -1, validator, null, partLength,
                expectedSize);
        return switch (AnswerClassifier.classify(question, status, fetched.response().headers(),
                head)) {
            case Answer.File f -> new Verdict.File(f.status(), f.start(), f.total(), f.validator());
            case Answer.RangeIgnored r -> new Verdict.File(r.status(), 0, r.total(), r.validator());
            case Answer.Complete c -> new Verdict.Whole();
            case Answer.Encoded e -> new Verdict.Stop(encoded(fetched, e, partLength), false);
            case Answer.Changed c -> restart(c.status(), c.status() == 416
                    ? "the server cannot resume this part (416); restarting the file"
                    : "the file changed on the server since the part was written (new"
                    + " ETag); restarting it");
            case Answer.WrongRange w -> restart(w.status(), "the server resumed at a different"
                    + " byte; restarting the file");
            case Answer.Refused r -> new Verdict.Stop(refusal(fetched, body, r, asked, partLength),
                    asked > 0 && !retried(r.kind()));
            case Answer.Redirect r -> new Verdict.Stop(refusal(fetched, body,
                    new Answer.Refused(status, Answer.Refusal.FINAL, null), asked, partLength),
                    asked > 0);
        };
    }

    /**
     * An encoding nobody asked for fails the job: the host would send it again (a misconfigured
     * CDN or bucket), and decoding it would break resume offsets and the size checks.
     */
    public static Outcome.Fail encoded(HttpFetch.Response fetched, Answer.Encoded encoded,
            long partLength) {
        return new Outcome.Fail("unrequested_encoding",
                "the server sent the file with Content-Encoding: " + encoded.encoding()
                + " although the request asked for identity (the bytes as they are); its"
                + " bytes are not the model file's, so nothing was saved [from "
                + fetched.uri().getRawAuthority() + "]", encoded.status(), partLength);
    }

    private static Verdict restart(int status, String message) {
        return new Verdict.Stop(new Outcome.Retry("resume_mismatch", message, Duration.ZERO, status,
                0), true);
    }

    /**
     * The refusal in words (the {@link RefusalReader} for its host, else the engine's) and what
     * follows from it: a retry, or a failure; a failed resume says the retry asks for the whole
     * file.
     */
    public Outcome refusal(HttpFetch.Response fetched, BodyStream body, Answer.Refused refused,
            long asked, long partLength) throws IOException {
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
        if (retried(refused.kind())) {
            return new Outcome.Retry(reason.code(), message, wait(refused, from), status,
                    partLength);
        }
        if (asked > 0) {
            message += "; this answered a resume from byte " + asked
                    + ", so a retry asks for the whole file";
        }
        return new Outcome.Fail(reason.code(), message, status, partLength);
    }

    private static boolean retried(Answer.Refusal kind) {
        return switch (kind) {
            case RATE_LIMITED, BUSY, TRANSIENT -> true;
            case URL_REFUSED, FINAL -> false;
        };
    }

    /** The server's Retry-After; a 429's wait is its host's gate's to decide. */
    private Duration wait(Answer.Refused refused, URI from) {
        Duration asked = policy.waitFor(refused.retryAfter()).orElse(null);
        return refused.kind() == Answer.Refusal.RATE_LIMITED ? gate.rateLimited(from, asked)
                : asked;
    }
}
