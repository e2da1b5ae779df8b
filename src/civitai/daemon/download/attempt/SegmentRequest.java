package civitai.daemon.download.attempt;

import civitai.daemon.download.attempt.SegmentedDownload.End;
import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.fetch.host.Credentials;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.retry.ResponseCheck;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.segment.Segment;
import civitai.daemon.download.segment.SegmentPlan;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Range request for the rest of one segment, and what its answer means for the whole
 * segmented attempt: the asked-for bytes go to the connection; a 200 to a Range request, a
 * Content-Range other than the one asked, or a changed ETag end the plan so the next attempt uses
 * a single connection; a refused (expired) URL is re-resolved once for all connections; a 429/503
 * halves the connections and waits its Retry-After. Shared by the connections of one attempt;
 * thread-safe.
 */
final class SegmentRequest {
    private static final int BUSY_ANSWERS = 8;

    private final SegmentedDownload.Tools tools;
    private final QueuedJob job;
    private final PartFile part;
    private final SegmentPlan<End> plan;
    private final AttemptGuard attempt;
    private final Object renewLock = new Object();
    private int renewals;
    private int busyAnswers;

    SegmentRequest(SegmentedDownload.Tools tools, QueuedJob job, SegmentPlan<End> plan,
            AttemptGuard attempt) {
        this.tools = tools;
        this.job = job;
        this.part = job.state().part();
        this.plan = plan;
        this.attempt = attempt;
    }

    /** Opens the Range request for the rest of a segment; null when this try failed (try again). */
    BodyStream open(Segment segment) throws InterruptedException, DiskException {
        long from = segment.done();
        long to = segment.end() - 1;
        String validator = job.state().validator();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Range", "bytes=" + from + "-" + to);
        if (validator != null) {
            headers.put("If-Range", validator);
        }
        URI url = plan.url();
        HttpFetch.Response fetched;
        try {
            fetched = tools.http().get(url, job.state().credentials(), headers, tools.stall(),
                    uri -> { }, attempt);
        } catch (IOException e) {
            return null;
        }
        var r = fetched.response();
        var asked = new AnswerClassifier.Asked(from, to, validator, job.total(), part.length(),
                job.spec().expectedSize());
        Answer answer = AnswerClassifier.classify(asked, r.statusCode(), r.headers(), null);
        if (answer instanceof Answer.File) {
            return r.body();
        }
        if (!(answer instanceof Answer.Refused refused)
                || refused.kind() != Answer.Refusal.URL_REFUSED
                && refused.kind() != Answer.Refusal.FINAL
                && refused.kind() != Answer.Refusal.TRANSIENT) {
            r.body().close();  // nothing in it to read; a refusal's body is read for its words
        }
        notTheSegment(fetched, answer, url, from, to);
        return null;
    }

    /** An answer that is not the asked-for bytes: ends the plan, or waits, or renews the URL. */
    private void notTheSegment(HttpFetch.Response fetched, Answer answer, URI url, long from,
            long to) throws InterruptedException, DiskException {
        int status = fetched.response().statusCode();
        switch (answer) {
            case Answer.File f -> throw new AssertionError("the connection reads a file's bytes");
            case Answer.RangeIgnored i -> plan.end(new End(new Outcome.Retry(
                    i.changed() ? "resume_mismatch" : "no_ranges", i.changed()
                    ? "the file changed on the server during the download (new ETag); restarting it"
                    : "the server answered a Range request with the whole file; continuing with"
                    + " one connection", Duration.ZERO, status, part.bytes()), i.changed(), true));
            case Answer.Changed c -> plan.end(new End(new Outcome.Retry("resume_mismatch",
                    status == 416 ? "the server cannot serve a part of the file"
                    + " (416); restarting it"
                    : "the file changed on the server during the download (new"
                    + " ETag); restarting it", Duration.ZERO, status, part.bytes()), true, true));
            case Answer.Complete c -> plan.end(new End(new Outcome.Retry("resume_mismatch",
                    "the server cannot serve a part of the file (416); restarting it",
                    Duration.ZERO, status, part.bytes()), true, true));
            case Answer.WrongRange w -> plan.end(new End(new Outcome.Retry("resume_mismatch",
                    "the server sent Content-Range \"" + w.contentRange() + "\" for bytes " + from
                    + "-" + to + "; continuing with one connection", Duration.ZERO, status,
                    part.bytes()), false, true));
            case Answer.Encoded e -> plan.end(new End(ResponseCheck.encoded(fetched, e,
                    part.bytes()), false, false));
            case Answer.Refused f -> refusedAnswer(fetched, f, url, from);
            case Answer.Redirect d -> refused(fetched,
                    new Answer.Refused(status, Answer.Refusal.FINAL, null), from);
        }
    }

    /**
     * 429 and 503 halve the connections; a refused URL is renewed once; the rest ends the attempt.
     */
    private void refusedAnswer(HttpFetch.Response fetched, Answer.Refused refused, URI url,
            long from) throws InterruptedException, DiskException {
        switch (refused.kind()) {
            case RATE_LIMITED, BUSY -> busy(refused);
            case URL_REFUSED -> {
                if (renew(url)) {
                    fetched.response().body().close();
                    return;  // the next try uses the fresh URL
                }
                refused(fetched, refused, from);
            }
            case TRANSIENT, FINAL -> refused(fetched, refused, from);
        }
    }

    /** 429/503: half the connections, and this one waits the server's Retry-After. */
    private void busy(Answer.Refused refused) throws InterruptedException {
        int status = refused.status();
        plan.halve();
        Duration wait = tools.policy().waitFor(refused.retryAfter()).orElse(Duration.ofSeconds(1));
        synchronized (renewLock) {
            if (++busyAnswers > BUSY_ANSWERS) {
                plan.end(new End(new Outcome.Retry("http_" + status,
                        "the storage host kept answering " + status + "; trying again later", wait,
                        status, part.bytes()), false, false));
                return;
            }
        }
        long waitNanos = Math.min(wait.toNanos(), attempt.remaining().toNanos());
        attempt.onActivity();
        TimeUnit.NANOSECONDS.sleep(waitNanos);
        attempt.onActivity();
    }

    /**
     * The URL was refused: re-resolves it once for all connections (one request to the original
     * URL, whose redirect gives a fresh signed URL). True when there is a fresh URL to use.
     */
    private boolean renew(URI refused) throws InterruptedException {
        synchronized (renewLock) {
            if (!refused.equals(plan.url())) {
                return true;  // another connection renewed it already
            }
            if (renewals++ > 0 || refused.equals(Credentials.strip(job.spec().url()))) {
                return false;
            }
            try {
                HttpFetch.Response fresh = tools.http()
                        .get(job.spec().url(), job.state().credentials(),
                                Map.of("Range", "bytes=0-0"), tools.stall(),
                        uri -> job.state().signedUrl(SignedUrl.of(uri)), attempt);
                fresh.response().body().close();
                int status = fresh.response().statusCode();
                if (status >= 300 || fresh.uri().equals(refused)) {
                    return false;
                }
                plan.url(fresh.uri());
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }

    private void refused(HttpFetch.Response fetched, Answer.Refused refused, long from)
            throws DiskException {
        try (BodyStream body = fetched.response().body()) {
            Outcome outcome = tools.check().refusal(fetched, body, refused, from, part.length());
            plan.end(new End(outcome, false, false));
        } catch (IOException e) {
            plan.end(new End(new Outcome.Retry("network_error", e.toString(), null, null,
                    part.bytes()), false, false));
        }
    }
}
