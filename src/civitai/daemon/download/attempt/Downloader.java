package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.ContentDisposition;
import civitai.daemon.download.fetch.HostCredentials;
import civitai.daemon.download.fetch.HostGate;
import civitai.daemon.download.fetch.HostSlots;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.RefusalReader;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.part.LocalCopies;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.rules.BodyLimit;
import civitai.daemon.download.rules.BodyRules;
import civitai.daemon.download.rules.ExpectedSize;
import civitai.daemon.download.rules.JobTargets;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.download.segment.*;
import civitai.daemon.target.SafeName;
import civitai.daemon.target.SubFolders;
import civitai.daemon.target.Target;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One attempt at one job: find the target, reuse or fetch the (signed) URL, resume the part with
 * Range + If-Range, let {@link ResponseCheck} refuse anything that is not the file, copy the bytes
 * into the part ({@link RangeTransfer}) while it hashes them, and hand the finished part to
 * {@link Placement}. Never throws for a failed download: every end is an {@link Outcome}; only an
 * interrupt that is not the watchdog's (shutdown, cancel) propagates. Thread-safe; each task is
 * worked by one thread at a time.
 */
public final class Downloader {
    /** What an attempt reports as it goes; called on the attempt's thread. */
    public interface Listener {
        /** The job's target is now known; false when another running job holds it (this one waits). */
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
     * @param minSegmentSize no segment is planned smaller than this; a smaller file gets one connection
     * @param slots          the per-host connection cap shared by all downloads
     * @param journal        where finished (fsynced) ranges are recorded for a resume after a crash
     * @param buffers        the transfer buffers every download together may hold
     */
    public record Segmenting(int connections, long minSegmentSize, HostSlots slots,
            civitai.daemon.store.journal.RangeJournal journal, BufferBudget buffers) {}

    private final HttpFetch http;
    private final Settings settings;
    private final JobTargets targets;
    private final ResponseCheck check;
    private final RangeTransfer transfer;
    private final Placement placement;
    private final Clock clock;
    private final Segmenting segmenting;
    private final SegmentedDownload.Tools tools;
    private volatile LibraryReuse reuse = new LibraryReuse(LocalCopies.NONE, LibraryReuse.Mode.OFF);
    private volatile BodyRules bodyRules = BodyRules.DEFAULT;

    /**
     * @param hostCredentials which host gets which credential header (others never see it)
     * @param gate     held before each request, told about each 429
     * @param refusals words refusals from the hosts it knows
     */
    public Downloader(HttpClient client, HostCredentials hostCredentials, String userAgent, Settings settings,
            Bandwidth bandwidth, RetryPolicy policy, Clock clock, HostGate gate, RefusalReader refusals,
            Placement placement, Watchdog watchdog, Segmenting segmenting) {
        this.http = new HttpFetch(client, hostCredentials, userAgent, gate, segmenting.buffers());
        this.settings = settings;
        this.targets = new JobTargets(settings.targets());
        this.check = new ResponseCheck(refusals, policy, gate);
        this.transfer = new RangeTransfer(bandwidth);
        this.placement = placement;
        this.clock = clock;
        this.segmenting = segmenting;
        this.tools = new SegmentedDownload.Tools(http, check, transfer, watchdog, segmenting.slots(), policy,
                segmenting.journal(), settings.stall(), settings.timeout(), segmenting.minSegmentSize());
    }

    /** Files already on disk satisfy jobs with their SHA-256 before a byte is fetched ("link", "copy" or "off"). */
    public void reuseFrom(LibraryReuse reuse) {
        this.reuse = reuse;
    }

    /**
     * A body whose size neither the entry nor the server gives is cut at {@code maxFileSize}, and
     * where it would leave less than {@code space} keeps free.
     */
    public void limitBodies(long maxFileSize, SpaceGate space) {
        this.bodyRules = new BodyRules(maxFileSize, space);
    }

    public Outcome attempt(DownloadTask task, AttemptGuard guard, Listener listener) throws InterruptedException {
        try {
            return run(task, guard, listener);
        } catch (DiskException e) {
            if (!(e.getCause() instanceof ClosedByInterruptException) && !Thread.currentThread().isInterrupted()) {
                return diskFailure(task, e);
            }
            return interrupted(task, guard, e);  // an interrupt closed the file: a stop, not a disk fault
        } catch (IOException e) {
            AttemptGuard.Abort abort = guard.abort();
            if (abort == null && Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while " + describe(e));  // shutdown, not the network
            }
            return abort != null ? abort.retry(task.bytes())
                    : new Outcome.Retry("network_error", describe(e), null, null, task.bytes());
        } catch (InterruptedException e) {
            return interrupted(task, guard, e);
        } finally {
            if (task.part != null) {
                task.part.settle();
            }
        }
    }

    /**
     * A disk failure fails the job; its part stays for the retry, and the reason says how big it
     * is. One rule for one connection and for segments, so a full disk is always disk_full.
     */
    public static Outcome.Fail diskFailure(DownloadTask task, DiskException e) {
        PartFile part = task.part;
        long kept = part == null ? 0 : PartFile.sizeOf(part.path());
        String message = e.getMessage() + (kept > 0 ? "; the partial download (" + kept + " bytes in " + part.path()
                + ") is kept: free some space, then retry and it continues from there" : "");
        return new Outcome.Fail(e.isDiskFull() ? "disk_full" : "disk_error", message, null, task.bytes());
    }

    /** The folder a job's file goes to. */
    public Path folder(String modelType) {
        return settings.targets().folder(modelType);
    }

    /** Where stored jobs' files and parts live. */
    public JobTargets targets() {
        return targets;
    }

    /** Where a stored job's file and part live, or null while its name is unknown. */
    public Path targetOf(civitai.daemon.store.jobs.Job job) {
        Target target = targets.of(job);
        return target == null ? null : target.path();
    }

    /** The watchdog's abort is a retry; any other interrupt (stop, pause, cancel) propagates. */
    private static Outcome interrupted(DownloadTask task, AttemptGuard guard, Exception cause)
            throws InterruptedException {
        AttemptGuard.Abort abort = guard.abort();
        if (abort == null) {
            InterruptedException stop = new InterruptedException("stopped");
            stop.initCause(cause);
            throw stop;
        }
        return abort.retry(task.bytes());
    }

    /** A failure when the sub-folder of a file name leads out of its type's folder; see {@link SubFolders}. */
    private static Outcome subFolder(Path folder, Path target) throws DiskException {
        if (target == null) {
            return null;
        }
        try {
            return SubFolders.make(folder, target).<Outcome>map(why -> new Outcome.Fail("unsafe_path", why, null, 0))
                    .orElse(null);
        } catch (IOException e) {
            throw DiskException.of("create folder", target.getParent(), e);
        }
    }

    private Outcome run(DownloadTask task, AttemptGuard guard, Listener listener)
            throws IOException, InterruptedException {
        Path folder = folder(task.spec.modelType());
        Path root = settings.targets().downloadDir();
        if (!folder.startsWith(root) || folder.equals(root)) {
            return new Outcome.Fail("unsafe_path", "model_type leaves download_dir", null, 0);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw DiskException.of("create folder", folder, e);
        }
        Outcome unsafe = subFolder(folder, task.target(folder));
        if (unsafe != null) {
            return unsafe;
        }
        if (task.filename != null && (task.part == null || task.part.length() == 0)) {
            var reused = reuse.place(task.spec.expectedSha256(),
                    task.spec.exactSize() ? task.spec.expectedSize() : null, task.target(folder));
            if (reused.isPresent()) {
                task.fromLibrary = reused.get().source();
                return new Outcome.Done(reused.get().target(), reused.get().sha256(), reused.get().bytes(), false);
            }
        }
        if (task.filename != null) {
            Outcome present = openPart(task, task.target(folder), listener);
            if (present != null) {
                return present;
            }
        }
        if (PartJournal.resumesInSegments(task, segmenting)) {
            return new Segments(this, task, guard, listener).resume();
        }
        long asked = resumeFrom(task);
        HttpFetch.Response fetched = fetch(task, guard, rangeHeaders(task, asked));
        try (BodyStream body = fetched.response().body()) {
            return receive(task, fetched, body, asked, guard, listener);
        }
    }

    /** The signed URL while it is valid, else the original; a refused signed URL falls back once. */
    public HttpFetch.Response fetch(DownloadTask task, AttemptGuard guard, Map<String, String> headers)
            throws IOException, InterruptedException {
        SignedUrl signed = task.signedUrl;
        boolean reuse = signed != null && signed.usableAt(Instant.now(clock));
        java.util.function.Consumer<URI> remember = target -> task.signedUrl = SignedUrl.of(target);
        HttpFetch.Response r = http.get(reuse ? signed.uri() : task.spec.url(), task.credentials, headers, headerTimeout(guard),
                remember);
        if (reuse && urlRefused(r)) {
            r.response().body().close();
            task.signedUrl = null;
            r = http.get(task.spec.url(), task.credentials, headers, headerTimeout(guard), remember);
        }
        return r;
    }

    private Duration headerTimeout(AttemptGuard guard) {
        Duration left = guard.remaining();
        return left.compareTo(settings.stall()) < 0 ? left : settings.stall();
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
    private static long resumeFrom(DownloadTask task) throws DiskException {
        PartFile part = task.part;
        if (part == null || part.length() == 0) {
            return 0;
        }
        if (task.validator == null && task.spec.expectedSha256() == null) {
            part.reset();
            return 0;
        }
        return part.length();
    }

    /** Range from {@code from}, guarded by If-Range so a changed file restarts from zero. */
    public static Map<String, String> rangeHeaders(DownloadTask task, long from) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (from > 0) {
            headers.put("Range", "bytes=" + from + "-");
            if (task.validator != null) {
                headers.put("If-Range", task.validator);
            }
        }
        return headers;
    }

    /** Opens the part for a known target; returns Done when the target is already the right file. */
    private Outcome openPart(DownloadTask task, Path target, Listener listener) throws DiskException {
        if (!task.existingChecked) {
            task.existingChecked = true;
            Placement.Found found = Placement.examine(target, task.placedHashes);
            if (found != null) {
                String expected = task.spec.expectedSha256();
                if (!found.isLink() && (expected == null || expected.equalsIgnoreCase(found.sha256()))) {
                    return new Outcome.Done(target, found.sha256(), found.size(), false);
                }
                task.found = found;
                Outcome.Fail kept = placement.beforeDownload(target, found);
                if (kept != null) {
                    return kept;
                }
            }
        }
        if (task.part == null) {
            Path part = Targets.part(target);
            if (PartFile.discardUnlessRegular(part)) {  // a planted link must not take the download's bytes
                listener.onWarning(part + " was not a regular file (a link?); it was removed, and the download"
                        + " starts from byte 0");
            }
            task.part = PartJournal.open(task, target, segmenting);
            JournalClaim journal = task.journal;
            task.part.onReset(journal::forget);
        }
        return null;
    }

    public Segmenting segmenting() {
        return segmenting;
    }

    public SegmentedDownload.Tools tools() {
        return tools;
    }

    private Outcome receive(DownloadTask task, HttpFetch.Response fetched, BodyStream body, long asked,
            AttemptGuard guard, Listener listener) throws IOException, InterruptedException {
        long partLength = task.part == null ? 0 : task.part.length();
        var verdict = check.check(fetched, body, asked, task.validator, task.spec.expectedSize(), partLength);
        switch (verdict) {
            case ResponseCheck.Verdict.Whole w -> {
                return place(task, listener, 416);
            }
            case ResponseCheck.Verdict.Stop s -> {
                if (s.resetPart() && task.part != null) {
                    task.part.reset();
                }
                return s.outcome();
            }
            case ResponseCheck.Verdict.File f -> {
                return receiveFile(task, fetched, body, f, guard, listener);
            }
        }
    }

    private Outcome receiveFile(DownloadTask task, HttpFetch.Response fetched, BodyStream body,
            ResponseCheck.Verdict.File file, AttemptGuard guard, Listener listener)
            throws IOException, InterruptedException {
        if (task.filename == null) {
            Outcome early = nameFromResponse(task, fetched, listener);
            if (early != null) {
                return early;
            }
        }
        PartFile part = task.part;
        if (file.start() == 0 && part.length() > 0) {
            part.reset();  // the server ignored Range (or If-Range saw a change): start over
        }
        Long total = file.total();
        ExpectedSize expected = ExpectedSize.of(task.spec);
        BodyRules rules = bodyRules;
        Outcome.Fail wrongSize = rules.refuse(expected, total, file.status(), part.length());
        if (wrongSize != null) {
            return wrongSize;
        }
        boolean sameFile = file.validator() != null && file.validator().equals(task.validator);
        BodyLimit limit = total != null ? null : rules.limit(expected, sameFile ? task.total : null,
                folder(task.spec.modelType()), part.length());
        task.total = total;
        task.validator = file.validator();
        listener.onResponse(task.validator, total);
        if (PartJournal.splittable(task, file, fetched, segmenting)) {
            segmenting.slots().takeFirst(fetched.uri(), settings.stall());
            return new Segments(this, task, guard, listener).fresh(fetched.uri(), body);
        }
        segmenting.slots().takeFirst(fetched.uri(), settings.stall());
        return stream(task, body, total, guard, listener, file.status(), fetched.uri(), limit);
    }

    /** One connection to the end of the file; it holds a slot on {@code url}'s host, released here. */
    private Outcome stream(DownloadTask task, BodyStream body, Long total, AttemptGuard guard,
            Listener listener, int status, URI url, BodyLimit limit) throws IOException, InterruptedException {
        PartFile part = task.part;
        if (task.journal.describes()) {  // one connection from the prefix on: the journal no longer describes it
            task.journal.forget();
        }
        task.connections = 1;
        Outcome ended;
        try {
            part.truncateToPrefix();
            ended = new SingleStream(this, task, guard, listener).run(body, total, status, limit);
        } finally {
            task.connections = 0;
            segmenting.slots().release(url);
        }
        return ended != null ? ended : place(task, listener, status);
    }

    public Outcome place(DownloadTask task, Listener listener, int status) throws DiskException {
        listener.onVerifying();
        Outcome placed = placement.place(task.part, task.target(folder(task.spec.modelType())),
                task.spec.expectedSha256(), task.found, status);
        if (placed instanceof Outcome.Done) {
            task.journal.forget();
        }
        return placed;
    }

    /** Takes the filename from Content-Disposition (or the URL), then opens the part for it. */
    private Outcome nameFromResponse(DownloadTask task, HttpFetch.Response fetched, Listener listener)
            throws DiskException {
        String offered = ContentDisposition.filename(
                fetched.response().headers().firstValue("Content-Disposition").orElse(null))
                .orElseGet(() -> lastSegment(fetched.uri()));
        var name = SafeName.sanitise(offered);
        if (name.isEmpty()) {
            return new Outcome.Fail("bad_filename", "the server's file name \"" + offered
                    + "\" is not usable; set \"filename\" in the entry", fetched.response().statusCode(), 0);
        }
        task.filename = name.get();
        Path target = task.target(folder(task.spec.modelType()));
        if (!listener.onTarget(settings.targets().at(target))) {
            task.filename = null;
            return new Outcome.Fail("target_busy", "the server names the file " + target.getFileName() + ", which"
                    + " another job is downloading to " + target + "; nothing was written. Give this entry its"
                    + " own \"filename\", or retry once the other job is done", fetched.response().statusCode(), 0);
        }
        Outcome present = openPart(task, target, listener);
        if (present != null) {
            return present;
        }
        if (task.part.length() > 0) {  // a part from an earlier run, but this answer is from byte 0
            task.part.reset();
        }
        return null;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath();
        return path == null ? null : path.substring(path.lastIndexOf('/') + 1);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
