package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.RefusalReader;
import civitai.daemon.download.fetch.host.HostCredentials;
import civitai.daemon.download.fetch.host.HostGate;
import civitai.daemon.download.fetch.host.HostSlots;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.retry.ResponseCheck;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.download.rules.BodyLimit;
import civitai.daemon.download.rules.BodyRules;
import civitai.daemon.download.rules.ExpectedSize;
import civitai.daemon.download.rules.JobTargets;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.download.segment.RangeTransfer;
import civitai.daemon.store.journal.RangeJournal;
import civitai.daemon.target.Target;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * One attempt at one job: settle what is on disk first ({@link Preflight}), ask for the file
 * ({@link Handshake}: the signed URL, a resume with Range + If-Range), let {@link ResponseCheck}
 * refuse anything that is not the file, take the server's name when the entry has none
 * ({@link ServerName}), copy the bytes into the part over one connection ({@link SingleStream}) or
 * in segments ({@link Segments}) while it hashes them, and hand the finished part to
 * {@link Placement}. Never throws for a failed download: every end is an {@link Outcome}; only an
 * interrupt that is not the watchdog's (shutdown, cancel) propagates. Thread-safe; each job is
 * worked by one thread at a time.
 */
public final class Downloader {
    /** What an attempt reports as it goes; called on the attempt's thread. */
    public interface Listener {
        /**
         * The job's target is now known; false when another running job holds it (this one waits).
         */
        boolean onTarget(Target target);

        void onResponse(String validator, Long total);

        void onBytes(long bytes, Long total);

        void onVerifying();

        /** Something on disk was not as the daemon left it and was set right; for the log. */
        void onWarning(String message);
    }

    /**
     * Where downloads go and how they are fetched.
     *
     * @param targets where files go; every target must stay under its download_dir
     * @param stall   the longest wait for an answer's headers (and between two pieces)
     */
    public record Settings(Targets targets, Duration stall, Duration timeout) {}

    /**
     * How a file is split over several connections.
     *
     * @param connections    connections per download (1: never split)
     * @param minSegmentSize no segment is planned smaller than this; a smaller file gets one
     *                       connection
     * @param slots          the per-host connection cap shared by all downloads
     * @param journal        where finished (fsynced) ranges are recorded for a resume after a crash
     * @param buffers        the transfer buffers every download together may hold
     */
    public record Segmenting(int connections, long minSegmentSize, HostSlots slots,
            RangeJournal journal, BufferBudget buffers) {}

    private final Settings settings;
    private final JobTargets targets;
    private final ResponseCheck check;
    private final Placement placement;
    private final Segmenting segmenting;
    private final Handshake handshake;
    private final Preflight preflight;
    private final ServerName serverName;
    private final SegmentedDownload.Tools tools;
    private volatile BodyRules bodyRules = BodyRules.DEFAULT;

    /**
     * @param hostCredentials which host gets which credential header (others never see it)
     * @param gate     held before each request, told about each 429
     * @param refusals words refusals from the hosts it knows
     */
    public Downloader(HttpClient client, HostCredentials hostCredentials, String userAgent,
            Settings settings, Bandwidth bandwidth, RetryPolicy policy, Clock clock, HostGate gate,
            RefusalReader refusals, Placement placement, Watchdog watchdog, Segmenting segmenting) {
        HttpFetch http = new HttpFetch(client, hostCredentials, userAgent, gate,
                segmenting.buffers());
        this.settings = settings;
        this.targets = new JobTargets(settings.targets());
        this.check = new ResponseCheck(refusals, policy, gate);
        this.placement = placement;
        this.segmenting = segmenting;
        this.handshake = new Handshake(http, clock, settings.stall());
        this.preflight = new Preflight(settings.targets(), placement, segmenting);
        this.serverName = new ServerName(settings.targets(), preflight);
        this.tools = new SegmentedDownload.Tools(http, check, new RangeTransfer(bandwidth),
                watchdog, segmenting.slots(), policy, segmenting.journal(), settings.stall(),
                settings.timeout(), segmenting.minSegmentSize());
    }

    /**
     * Files already on disk satisfy jobs with their SHA-256 before a byte is fetched ("link",
     * "copy" or "off").
     */
    public void reuseFrom(LibraryReuse reuse) {
        preflight.reuseFrom(reuse);
    }

    /**
     * A body whose size neither the entry nor the server gives is cut at {@code maxFileSize}, and
     * where it would leave less than {@code space} keeps free.
     */
    public void limitBodies(long maxFileSize, SpaceGate space) {
        this.bodyRules = new BodyRules(maxFileSize, space);
    }

    /** One attempt at {@code job}, watched by {@code guard}; {@link AttemptRecorder} records it. */
    Outcome attempt(QueuedJob job, AttemptGuard guard, Listener listener)
            throws InterruptedException {
        try {
            return run(job, guard, listener);
        } catch (DiskException e) {
            return AttemptEnd.disk(job, guard, e);
        } catch (IOException e) {
            return AttemptEnd.network(job, guard, e);
        } catch (InterruptedException e) {
            return AttemptEnd.interrupted(job, guard, e);
        } finally {
            job.settle();
        }
    }

    /** Where stored jobs' files and parts live. */
    public JobTargets targets() {
        return targets;
    }

    private Outcome run(QueuedJob job, AttemptGuard guard, Listener listener)
            throws IOException, InterruptedException {
        Outcome before = preflight.prepare(job, listener);
        if (before != null) {
            return before;
        }
        if (PartJournal.resumesInSegments(job, segmenting)) {
            return new Segments(this, job, guard, listener).resume();
        }
        long asked = Handshake.resumeFrom(job);
        HttpFetch.Response fetched = handshake.fetch(job, guard,
                Handshake.rangeHeaders(job, asked));
        try (BodyStream body = fetched.response().body()) {
            return receive(job, fetched, body, asked, guard, listener);
        }
    }

    Handshake handshake() {
        return handshake;
    }

    Segmenting segmenting() {
        return segmenting;
    }

    SegmentedDownload.Tools tools() {
        return tools;
    }

    private Outcome receive(QueuedJob job, HttpFetch.Response fetched, BodyStream body, long asked,
            AttemptGuard guard, Listener listener) throws IOException, InterruptedException {
        long partLength = job.state().partLength();
        var verdict = check.check(fetched, body, asked, job.state().validator(),
                job.spec().expectedSize(), partLength);
        switch (verdict) {
            case ResponseCheck.Verdict.Whole w -> {
                return place(job, listener, 416);
            }
            case ResponseCheck.Verdict.Stop s -> {
                if (s.resetPart() && job.state().part() != null) {
                    job.state().part().reset();
                }
                return s.outcome();
            }
            case ResponseCheck.Verdict.File f -> {
                return receiveFile(job, fetched, body, f, guard, listener);
            }
        }
    }

    private Outcome receiveFile(QueuedJob job, HttpFetch.Response fetched, BodyStream body,
            ResponseCheck.Verdict.File file, AttemptGuard guard, Listener listener)
            throws IOException, InterruptedException {
        if (job.filename() == null) {
            Outcome early = serverName.take(job, fetched, listener);
            if (early != null) {
                return early;
            }
        }
        PartFile part = job.state().part();
        if (file.start() == 0 && part.length() > 0) {
            part.reset();  // the server ignored Range (or If-Range saw a change): start over
        }
        Long total = file.total();
        ExpectedSize expected = ExpectedSize.of(job.spec());
        BodyRules rules = bodyRules;
        Outcome.Fail wrongSize = rules.refuse(expected, total, file.status(), part.length());
        if (wrongSize != null) {
            return wrongSize;
        }
        boolean sameFile = file.validator() != null
                && file.validator().equals(job.state().validator());
        BodyLimit limit = total != null ? null
                : rules.limit(expected, sameFile ? job.total() : null,
                targets.folder(job.spec().modelType()), part.length());
        job.sized(total);
        job.state().validator(file.validator());
        listener.onResponse(file.validator(), total);
        segmenting.slots().takeFirst(fetched.uri(), settings.stall());
        if (PartJournal.splittable(job, file, fetched, segmenting)) {
            return new Segments(this, job, guard, listener).fresh(fetched.uri(), body);
        }
        return stream(job, body, total, guard, listener, file.status(), fetched.uri(), limit);
    }

    /**
     * One connection to the end of the file; it holds a slot on {@code url}'s host, released here.
     */
    private Outcome stream(QueuedJob job, BodyStream body, Long total, AttemptGuard guard,
            Listener listener, int status, URI url, BodyLimit limit)
            throws IOException, InterruptedException {
        PartFile part = job.state().part();
        JournalClaim journal = job.state().journal();
        // one connection from the prefix on: the journal no longer describes it
        if (journal.describes()) {
            journal.forget();
        }
        job.connections(1);
        Outcome ended;
        try {
            part.truncateToPrefix();
            ended = new SingleStream(this, job, guard, listener).run(body, total, status, limit);
        } finally {
            job.connections(0);
            segmenting.slots().release(url);
        }
        return ended != null ? ended : place(job, listener, status);
    }

    Outcome place(QueuedJob job, Listener listener, int status) throws DiskException {
        listener.onVerifying();
        Path folder = targets.folder(job.spec().modelType());
        Outcome placed = placement.place(job.state().part(), folder, job.target(folder),
                job.spec().expectedSha256(), job.state().found(), status);
        if (placed instanceof Outcome.Done) {
            job.state().journal().forget();
        }
        return placed;
    }
}
