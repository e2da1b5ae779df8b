package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.retry.AttemptGuard;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How an attempt asks for the file: the signed URL a redirect gave while it is still valid, else
 * the original URL (a refused signed URL falls back to the original once); from where the part
 * continues, with Range guarded by If-Range so a changed file restarts from zero. Thread-safe.
 */
final class Handshake {
    private final HttpFetch http;
    private final Clock clock;
    private final Duration stall;

    /** @param stall the longest wait for an answer's headers */
    Handshake(HttpFetch http, Clock clock, Duration stall) {
        this.http = http;
        this.clock = clock;
        this.stall = stall;
    }

    /**
     * The signed URL while it is valid, else the original; a refused signed URL falls back once.
     */
    HttpFetch.Response fetch(QueuedJob job, AttemptGuard guard, Map<String, String> headers)
            throws IOException, InterruptedException {
        AttemptState state = job.state();
        SignedUrl signed = state.signedUrl();
        boolean reuse = signed != null && signed.usableAt(Instant.now(clock));
        Consumer<URI> remember = target -> state.signedUrl(SignedUrl.of(target));
        URI original = job.spec().url();
        HttpFetch.Response r = http.get(reuse ? signed.uri() : original, state.credentials(),
                headers, headerTimeout(guard), remember, guard);
        if (reuse && urlRefused(r)) {
            r.response().body().close();
            state.signedUrl(null);
            r = http.get(original, state.credentials(), headers, headerTimeout(guard), remember,
                    guard);
        }
        return r;
    }

    private Duration headerTimeout(AttemptGuard guard) {
        Duration left = guard.remaining();
        return left.compareTo(stall) < 0 ? left : stall;
    }

    /** The URL itself was refused (a signed URL may have expired): asking the original may help. */
    private static boolean urlRefused(HttpFetch.Response r) {
        return AnswerClassifier.classify(AnswerClassifier.Asked.whole(), r.response().statusCode(),
                r.response().headers(), null) instanceof Answer.Refused refused
                && refused.kind() == Answer.Refusal.URL_REFUSED;
    }

    /**
     * Where this attempt continues: the part's length. Without a validator a resume is only safe
     * when the expected hash will catch a mix, so then the part starts over.
     */
    static long resumeFrom(QueuedJob job) throws DiskException {
        PartFile part = job.state().part();
        if (part == null || part.length() == 0) {
            return 0;
        }
        if (job.state().validator() == null && job.spec().expectedSha256() == null) {
            part.reset();
            return 0;
        }
        return part.length();
    }

    /** Range from {@code from}, guarded by If-Range so a changed file restarts from zero. */
    static Map<String, String> rangeHeaders(QueuedJob job, long from) {
        Map<String, String> headers = new LinkedHashMap<>();
        String validator = job.state().validator();
        if (from > 0) {
            headers.put("Range", "bytes=" + from + "-");
            if (validator != null) {
                headers.put("If-Range", validator);
            }
        }
        return headers;
    }
}
