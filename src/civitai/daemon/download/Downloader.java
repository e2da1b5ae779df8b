package civitai.daemon.download;

import civitai.daemon.civitai.Refusal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.channels.ClosedByInterruptException;
import java.nio.ByteBuffer;
import java.net.http.HttpResponse;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One attempt at one job: find the target, reuse or fetch the (signed) URL, resume the part with
 * Range + If-Range, refuse anything that is not the file, stream bytes into the part while hashing
 * them, verify, and move the file into place. Never throws for a failed download: every end is an
 * {@link Outcome}; only an interrupt that is not the watchdog's (shutdown, cancel) propagates.
 * Thread-safe; each task is worked by one thread at a time.
 */
final class Downloader {
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    /** What an attempt reports as it goes; called on the attempt's thread. */
    interface Listener {
        void onTarget(Path target);

        void onResponse(String validator, Long total);

        void onBytes(long bytes, Long total);

        void onVerifying();
    }

    private final HttpFetch http;
    private final Path downloadDir;
    private final Layout layout;
    private final Bandwidth bandwidth;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Duration stall;
    private final civitai.daemon.civitai.CivitaiGate gate;

    Downloader(HttpFetch http, Path downloadDir, Layout layout, Bandwidth bandwidth, RetryPolicy policy,
            Clock clock, Duration stall, civitai.daemon.civitai.CivitaiGate gate) {
        this.gate = gate;
        this.http = http;
        this.downloadDir = downloadDir;
        this.layout = layout;
        this.bandwidth = bandwidth;
        this.policy = policy;
        this.clock = clock;
        this.stall = stall;
    }

    Outcome attempt(DownloadTask task, AttemptGuard guard, Listener listener) throws InterruptedException {
        try {
            return run(task, guard, listener);
        } catch (DiskException e) {
            if (!(e.getCause() instanceof ClosedByInterruptException) && !Thread.currentThread().isInterrupted()) {
                return new Outcome.Fail("disk_error", e.getMessage(), null, task.bytes());
            }
            return interrupted(task, guard, e);  // an interrupt closed the file: a stop, not a disk fault
        } catch (IOException e) {
            String abort = guard.abortReason();
            if (abort == null && Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped while " + describe(e));  // shutdown, not the network
            }
            return new Outcome.Retry(abort != null ? abort.substring(0, abort.indexOf(':')) : "network_error",
                    abort != null ? abort : describe(e), null, null, task.bytes());
        } catch (InterruptedException e) {
            return interrupted(task, guard, e);
        } finally {
            if (task.part != null) {
                task.part.endAppend();
            }
        }
    }

    private Path folder(DownloadTask task) {
        return layout.folder(downloadDir, task.spec.modelType()).normalize();
    }

    /** The watchdog's abort is a retry; any other interrupt (stop, pause, cancel) propagates. */
    private static Outcome interrupted(DownloadTask task, AttemptGuard guard, Exception cause)
            throws InterruptedException {
        String abort = guard.abortReason();
        if (abort == null) {
            InterruptedException stop = new InterruptedException("stopped");
            stop.initCause(cause);
            throw stop;
        }
        return new Outcome.Retry(abort.substring(0, abort.indexOf(':')), abort, null, null, task.bytes());
    }

    private Outcome run(DownloadTask task, AttemptGuard guard, Listener listener)
            throws IOException, InterruptedException {
        Path folder = folder(task);
        if (!folder.normalize().startsWith(downloadDir.normalize()) || folder.equals(downloadDir)) {
            return new Outcome.Fail("unsafe_path", "model_type leaves download_dir", null, 0);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw DiskException.of("create folder", folder, e);
        }
        if (task.filename != null) {
            Outcome present = openPart(task, task.target(folder(task)));
            if (present != null) {
                return present;
            }
        }
        HttpFetch.Response fetched = fetch(task, guard);
        try (BodyStream body = fetched.response().body()) {
            return receive(task, fetched, body, guard, listener);
        }
    }

    /** The signed URL while it is valid, else the original; a refused signed URL falls back once. */
    private HttpFetch.Response fetch(DownloadTask task, AttemptGuard guard) throws IOException, InterruptedException {
        SignedUrl signed = task.signedUrl;
        boolean reuse = signed != null && signed.usableAt(Instant.now(clock));
        java.util.function.Consumer<URI> remember = target -> task.signedUrl = SignedUrl.of(target);
        HttpFetch.Response r = http.get(reuse ? signed.uri() : task.spec.url(), rangeHeaders(task),
                headerTimeout(guard), remember);
        if (reuse && isRefusal(r.response().statusCode())) {
            r.response().body().close();
            task.signedUrl = null;
            r = http.get(task.spec.url(), rangeHeaders(task), headerTimeout(guard), remember);
        }
        return r;
    }

    private Duration headerTimeout(AttemptGuard guard) {
        Duration left = guard.remaining();
        return left.compareTo(stall) < 0 ? left : stall;
    }

    private static boolean isRefusal(int status) {
        return status == 400 || status == 401 || status == 403 || status == 404 || status == 410;
    }

    /**
     * Range from the part's length, guarded by If-Range so a changed file restarts from zero.
     * Without a validator a resume is only safe when the expected hash will catch a mix.
     */
    private static Map<String, String> rangeHeaders(DownloadTask task) throws DiskException {
        Map<String, String> headers = new LinkedHashMap<>();
        PartFile part = task.part;
        if (part == null || part.length() == 0) {
            return headers;
        }
        if (task.validator == null && task.spec.expectedSha256() == null) {
            part.reset();
            return headers;
        }
        headers.put("Range", "bytes=" + part.length() + "-");
        if (task.validator != null) {
            headers.put("If-Range", task.validator);
        }
        return headers;
    }

    /** Opens the part for a known target; returns Done when the target is already the right file. */
    private Outcome openPart(DownloadTask task, Path target) throws DiskException {
        if (!task.existingChecked) {
            task.existingChecked = true;
            if (Files.isRegularFile(target)) {
                String actual = hashFile(target);
                String expected = task.spec.expectedSha256();
                if (expected == null || expected.equalsIgnoreCase(actual)) {
                    return new Outcome.Done(target, actual, sizeOf(target), false);
                }
            }
        }
        if (task.part == null) {
            task.part = PartFile.beside(target);
        }
        return null;
    }

    private Outcome receive(DownloadTask task, HttpFetch.Response fetched, BodyStream body,
            AttemptGuard guard, Listener listener) throws IOException, InterruptedException {
        HttpResponse<BodyStream> r = fetched.response();
        int status = r.statusCode();
        HttpHeaders headers = r.headers();
        if (status == 416 && task.part != null && task.part.length() > 0) {
            return rangeNotSatisfiable(task, headers, listener);
        }
        if (status >= 300) {
            return refused(task, status, headers, body, fetched.uri());
        }
        String type = headers.firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/") || type.contains("json")) {
            return refused(task, status, headers, body, fetched.uri());
        }
        if (task.filename == null) {
            Outcome early = nameFromResponse(task, fetched, listener);
            if (early != null) {
                return early;
            }
        }
        Long total = startOffset(task, status, headers);
        if (total != null && total < 0) {
            task.part.reset();
            return new Outcome.Retry("resume_mismatch", "the server resumed at a different byte;"
                    + " restarting the file", Duration.ZERO, status, 0);
        }
        Long expected = task.spec.expectedSize();
        if (expected != null && total != null && farApart(total, expected)) {
            return new Outcome.Fail("size_mismatch", "the server offers " + total + " bytes but "
                    + expected + " were expected: not the model file", status, task.part.length());
        }
        task.total = total;
        task.validator = validator(headers);
        listener.onResponse(task.validator, total);
        return stream(task, body, total, guard, listener, status);
    }

    /**
     * Where this answer's bytes start: a 200 restarts the part from zero, a 206 must start at the
     * part's length. Returns the file's total size (null when unknown), or -1 if the 206 does not fit.
     */
    private static Long startOffset(DownloadTask task, int status, HttpHeaders headers) throws DiskException {
        PartFile part = task.part;
        if (status != 206) {
            if (part.length() > 0) {
                part.reset();  // the server ignored Range (or If-Range saw a change): start over
            }
            long length = headers.firstValueAsLong("Content-Length").orElse(-1);
            return length >= 0 ? length : null;
        }
        ContentRange range = ContentRange.parse(headers.firstValue("Content-Range").orElse(null));
        String etag = headers.firstValue("ETag").orElse(null);
        boolean changed = etag != null && task.validator != null && task.validator.startsWith("\"")
                && !etag.equals(task.validator);
        if (range == null || range.start() != part.length() || changed) {
            return -1L;
        }
        return range.total();
    }

    private Outcome stream(DownloadTask task, BodyStream body, Long total, AttemptGuard guard,
            Listener listener, int status) throws IOException, InterruptedException {
        PartFile part = task.part;
        part.beginAppend();
        for (ByteBuffer piece; (piece = body.next()) != null; ) {
            guard.onActivity();
            bandwidth.acquire(piece.remaining());
            part.append(piece);
            listener.onBytes(part.length(), total);
        }
        part.endAppend();
        if (Thread.interrupted()) {  // an interrupt that raced the end of the stream
            throw new InterruptedException();
        }
        if (total != null && part.length() != total) {
            if (part.length() > total) {
                part.reset();
            }
            return new Outcome.Retry("incomplete", "connection closed at byte " + part.length()
                    + " of " + total, null, status, part.length());
        }
        return verifyAndPlace(task, listener, status);
    }

    private Outcome verifyAndPlace(DownloadTask task, Listener listener, int status) throws DiskException {
        listener.onVerifying();
        PartFile part = task.part;
        String actual = part.sha256();
        String expected = task.spec.expectedSha256();
        long bytes = part.length();
        if (expected != null && !expected.equalsIgnoreCase(actual)) {
            part.reset();
            return new Outcome.Retry("hash_mismatch", "SHA-256 mismatch: expected " + expected
                    + ", got " + actual + " (" + bytes + " bytes); the download was discarded",
                    null, status, bytes);
        }
        Path target = task.target(folder(task));
        if (expected == null && Files.exists(target)) {
            return new Outcome.Fail("target_exists", target + " appeared during the download and"
                    + " there is no sha256 to tell which is right; kept it, left " + part.path(), status, bytes);
        }
        part.commitTo(target);
        return new Outcome.Done(target, actual, bytes, true);
    }

    private Outcome rangeNotSatisfiable(DownloadTask task, HttpHeaders headers, Listener listener)
            throws DiskException {
        ContentRange range = ContentRange.parse(headers.firstValue("Content-Range").orElse(null));
        if (range != null && range.total() != null && range.total() == task.part.length()) {
            return verifyAndPlace(task, listener, 416);  // the part already holds the whole file
        }
        task.part.reset();
        return new Outcome.Retry("resume_mismatch", "the server cannot resume this part (416);"
                + " restarting the file", Duration.ZERO, 416, 0);
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
        Path target = task.target(folder(task));
        listener.onTarget(target);
        Outcome present = openPart(task, target);
        if (present != null) {
            return present;
        }
        if (task.part.length() > 0) {  // a part from an earlier run, but this answer is from byte 0
            task.part.reset();
        }
        return null;
    }

    private Outcome refused(DownloadTask task, int status, HttpHeaders headers, BodyStream body, URI from)
            throws IOException {
        String text = body.text(ERROR_BODY_LIMIT);
        Refusal answer = Refusal.of(status, headers.firstValue("Content-Type").orElse(null), text);
        Refusal refusal = new Refusal(answer.code(), answer.message() + " [from " + from.getRawAuthority() + "]");
        long bytes = task.bytes();
        if (status == 429) {  // Civitai's download quota gives no Retry-After: wait long
            Duration wait = policy.retryAfter(headers).orElse(policy.max());
            if (gate.covers(from)) {
                gate.close(wait);  // metadata calls and update checks wait too
            }
            return new Outcome.Retry(refusal.code(), refusal.message(), wait, status, bytes);
        }
        if (status == 408 || status == 425 || status >= 500) {
            return new Outcome.Retry(refusal.code(), refusal.message(),
                    policy.retryAfter(headers).orElse(null), status, bytes);
        }
        return new Outcome.Fail(refusal.code(), refusal.message(), status, bytes);
    }

    private static String validator(HttpHeaders headers) {
        var etag = headers.firstValue("ETag").filter(e -> !e.startsWith("W/"));
        return etag.or(() -> headers.firstValue("Last-Modified")).orElse(null);
    }

    /** Civitai's sizeKB is rounded: allow 1% + 64 KiB before calling it a different file. */
    static boolean farApart(long actual, long expected) {
        return Math.abs(actual - expected) > expected / 100 + 64 * 1024;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath();
        return path == null ? null : path.substring(path.lastIndexOf('/') + 1);
    }

    private static String hashFile(Path file) throws DiskException {
        var digest = PartFile.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw DiskException.of("read", file, e);
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    private static long sizeOf(Path file) throws DiskException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw DiskException.of("read", file, e);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
