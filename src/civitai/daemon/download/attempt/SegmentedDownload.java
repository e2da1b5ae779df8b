package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.Credentials;
import civitai.daemon.download.fetch.HostSlots;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.segment.*;
import civitai.daemon.store.journal.RangeJournal;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bytes of one file over several connections to the same URL, each a Range request for one
 * {@link Segment}, written at their offsets into the one part. Each connection has its own stall
 * watch; a dropped or stalled connection resumes its segment. A 200 to a Range request, a
 * Content-Range other than the one asked, or a changed ETag ends the attempt so the next one uses a
 * single connection; a refused (expired) URL is re-resolved once for all connections; a 429/503
 * halves the connections and waits its Retry-After. What the part holds is journalled as it goes
 * ({@link PartCheckpoints}). One instance per attempt; its methods run on the attempt's thread.
 */
public final class SegmentedDownload {
    /** How a segmented attempt ended early; {@code resetPart}: the bytes so far are not this file's. */
    public record End(Outcome outcome, boolean resetPart, boolean singleConnection) {}

    private static final int FAILURES_PER_SEGMENT = 4;
    private static final int BUSY_ANSWERS = 8;

    /** What every connection needs. */
    public record Tools(HttpFetch http, ResponseCheck check, RangeTransfer transfer, Watchdog watchdog, HostSlots slots,
            RetryPolicy policy, RangeJournal journal, Duration stall, Duration timeout, long minSegmentSize) {}

    private final Tools tools;
    private final DownloadTask task;
    private final PartFile part;
    private final SegmentPlan<End> plan;
    private final AttemptGuard attempt;
    private final Downloader.Listener listener;
    private final Object progressLock = new Object();
    private final Object renewLock = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private final PartCheckpoints checkpoints;
    private int renewals;
    private int busyAnswers;

    public SegmentedDownload(Tools tools, DownloadTask task, SegmentPlan<End> plan, AttemptGuard attempt,
            Downloader.Listener listener) {
        this.tools = tools;
        this.task = task;
        this.part = task.part;
        this.plan = plan;
        this.attempt = attempt;
        this.listener = listener;
        this.checkpoints = new PartCheckpoints(tools.journal(), task.jobId, task.part, plan);
    }

    /**
     * Runs up to {@code connections} connections until every segment is written or the plan ends;
     * the first continues {@code firstBody} (null: it opens its own request). Returns null when the
     * part is complete, else how the attempt ended.
     */
    public End run(int connections, Segment first, BodyStream firstBody, boolean firstHasSlot)
            throws InterruptedException {
        try {
            checkpoints.record();
        } catch (RuntimeException e) {  // the database failed: the first answer is nobody's yet
            firstBody.close();
            if (firstHasSlot) {
                tools.slots().release(plan.url());
            }
            throw e;
        }
        if (!firstHasSlot) {
            try {
                tools.slots().takeFirst(plan.url(), tools.stall());
            } catch (InterruptedException e) {
                firstBody.close();
                throw e;
            }
        }
        plan.join();
        threads.add(Thread.ofVirtual().name("job-" + task.jobId + "-seg0").start(() -> connection(first, firstBody, 0)));
        for (int i = 1; i < connections; i++) {
            int index = i;
            if (!tools.slots().tryTake(plan.url())) {
                break;
            }
            if (!plan.join()) {
                tools.slots().release(plan.url());
                break;
            }
            threads.add(Thread.ofVirtual().name("job-" + task.jobId + "-seg" + i).start(() -> connection(null, null, index)));
        }
        task.connections = plan.running();
        checkpoints.start();
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stopAll();
            throw e;
        } finally {
            task.connections = 0;
            checkpoints.stop();
        }
        if (!plan.complete()) {
            checkpoints.finalQuietly();  // what this attempt got stays for the next one
        }
        return plan.complete() ? null : plan.ended() != null ? plan.ended()
                : new End(new Outcome.Retry("incomplete", "connections ended before the file was"
                        + " complete", null, null, part.bytes()), false, false);
    }

    /** A stop of the attempt (pause, cancel, shutdown, its timeout): every connection ends now. */
    private void stopAll() {
        plan.end(new End(new Outcome.Retry("stopped", "stopped", null, null, part.bytes()), false, false));
        threads.forEach(Thread::interrupt);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException again) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One connection: segments one after another until none is left, the plan ends, or it is halved. */
    private void connection(Segment first, BodyStream body, int index) {
        URI slotHost = plan.url();
        Segment segment = first;
        try {
            int failures = 0;
            while (plan.ended() == null) {
                if (segment == null || segment.finished()) {
                    segment = plan.next();
                    failures = 0;
                    if (segment == null) {
                        return;
                    }
                }
                if (plan.overLimit() || (index > 0 && tools.slots().wanted(slotHost))) {
                    return;  // halved, or another download waits for this host: the segment goes back
                }
                if (body == null) {
                    body = open(segment);
                    if (body == null) {
                        if (++failures > FAILURES_PER_SEGMENT) {
                            plan.end(new End(new Outcome.Retry("network_error", "a segment of the file"
                                    + " failed " + failures + " times", null, null, part.bytes()), false, false));
                        }
                        continue;
                    }
                }
                failures = copy(segment, body, index) ? 0 : failures + 1;
                body.close();
                body = null;
                if (failures > FAILURES_PER_SEGMENT) {
                    plan.end(new End(new Outcome.Retry("network_error", "a segment's connection failed "
                            + failures + " times", null, null, part.bytes()), false, false));
                }
            }
        } catch (DiskException e) {
            plan.end(new End(Downloader.diskFailure(task, e), false, false));
        } catch (InterruptedException e) {
            // the attempt is stopping: stopAll() ended the plan
        } finally {
            if (body != null) {
                body.close();
            }
            plan.leave(segment);
            tools.slots().release(slotHost);
            task.connections = plan.running();
        }
    }

    /**
     * Copies one answer into its segment with a stall watch and a writer of its own (a stall's
     * interrupt closes the writer's channel); returns false when the connection dropped or stalled
     * (the segment continues from where it stopped).
     */
    private boolean copy(Segment segment, BodyStream body, int index) throws DiskException, InterruptedException {
        URI host = plan.url();
        AttemptGuard guard = tools.watchdog().watch(Thread.currentThread(), tools.stall(), tools.timeout());
        try (PartFile.Writer out = part.writer()) {
            tools.transfer().copy(body, out, segment, () -> index == 0 || !tools.slots().wanted(host), () -> {
                guard.onActivity();
                attempt.onActivity();
            }, n -> {
                progress();
                checkpoints.maybe();
            });
            return segment.finished() || (index > 0 && tools.slots().wanted(host));  // else it ended early
        } catch (IOException | InterruptedException e) {
            if (guard.abort() != null) {
                return false;  // stalled: this connection starts over from where it stopped
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            if (e instanceof DiskException d && !(d.getCause() instanceof java.nio.channels.ClosedByInterruptException)) {
                throw d;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped");
            }
            return false;
        } finally {
            tools.watchdog().release(guard);
        }
    }

    private void progress() {
        synchronized (progressLock) {
            listener.onBytes(part.bytes(), task.total);
        }
    }

    /** Opens the Range request for the rest of a segment; null when this try failed (try again). */
    private BodyStream open(Segment segment) throws InterruptedException, DiskException {
        long from = segment.done();
        long to = segment.end() - 1;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Range", "bytes=" + from + "-" + to);
        if (task.validator != null) {
            headers.put("If-Range", task.validator);
        }
        URI url = plan.url();
        HttpFetch.Response fetched;
        try {
            fetched = tools.http().get(url, task.credentials, headers, tools.stall(), uri -> { });
        } catch (IOException e) {
            return null;
        }
        var r = fetched.response();
        int status = r.statusCode();
        var asked = new AnswerClassifier.Asked(from, to, task.validator, task.total, part.length(),
                task.spec.expectedSize());
        Answer answer = AnswerClassifier.classify(asked, status, r.headers(), null);
        if (answer instanceof Answer.File) {
            return r.body();
        }
        if (!(answer instanceof Answer.Refused refused) || refused.kind() != Answer.Refusal.URL_REFUSED
                && refused.kind() != Answer.Refusal.FINAL && refused.kind() != Answer.Refusal.TRANSIENT) {
            r.body().close();  // nothing in it to read; a refusal's body is read for its words
        }
        switch (answer) {
            case Answer.File f -> throw new AssertionError("returned above");
            case Answer.RangeIgnored i -> plan.end(new End(new Outcome.Retry(
                    i.changed() ? "resume_mismatch" : "no_ranges", i.changed()
                    ? "the file changed on the server during the download (new ETag); restarting it"
                    : "the server answered a Range request with the whole file; continuing with one connection",
                    Duration.ZERO, status, part.bytes()), i.changed(), true));
            case Answer.Changed c -> plan.end(new End(new Outcome.Retry("resume_mismatch", status == 416
                    ? "the server cannot serve a part of the file (416); restarting it"
                    : "the file changed on the server during the download (new ETag); restarting it",
                    Duration.ZERO, status, part.bytes()), true, true));
            case Answer.Complete c -> plan.end(new End(new Outcome.Retry("resume_mismatch", "the server"
                    + " cannot serve a part of the file (416); restarting it", Duration.ZERO, status, part.bytes()),
                    true, true));
            case Answer.WrongRange w -> plan.end(new End(new Outcome.Retry("resume_mismatch",
                    "the server sent Content-Range \"" + w.contentRange() + "\" for bytes " + from + "-" + to
                    + "; continuing with one connection", Duration.ZERO, status, part.bytes()), false, true));
            case Answer.Encoded e -> plan.end(new End(ResponseCheck.encoded(fetched, e, part.bytes()), false, false));
            case Answer.Refused f -> refusedAnswer(fetched, f, url, from);
            case Answer.Redirect d -> refused(fetched, new Answer.Refused(status, Answer.Refusal.FINAL, null), from);
        }
        return null;
    }

    /** 429 and 503 halve the connections; a refused URL is renewed once; the rest ends the attempt. */
    private void refusedAnswer(HttpFetch.Response fetched, Answer.Refused refused, URI url, long from)
            throws InterruptedException, DiskException {
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
                plan.end(new End(new Outcome.Retry("http_" + status, "the storage host kept answering "
                        + status + "; trying again later", wait, status, part.bytes()), false, false));
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
            if (renewals++ > 0 || refused.equals(Credentials.strip(task.spec.url()))) {
                return false;
            }
            try {
                HttpFetch.Response fresh = tools.http().get(task.spec.url(), task.credentials, Map.of("Range", "bytes=0-0"),
                        tools.stall(), uri -> task.signedUrl = SignedUrl.of(uri));
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

    private void refused(HttpFetch.Response fetched, Answer.Refused refused, long from) throws DiskException {
        try (BodyStream body = fetched.response().body()) {
            Outcome outcome = tools.check().refusal(fetched, body, refused, from, part.length());
            plan.end(new End(outcome, false, false));
        } catch (IOException e) {
            plan.end(new End(new Outcome.Retry("network_error", e.toString(), null, null, part.bytes()),
                    false, false));
        }
    }
}
