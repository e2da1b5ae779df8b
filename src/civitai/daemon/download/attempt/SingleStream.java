package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.retry.ResponseCheck;
import civitai.daemon.download.rules.BodyLimit;
import civitai.daemon.download.rules.ExpectedSize;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.segment.Segment;
import java.io.IOException;
import java.time.Duration;

/**
 * One connection from the part's length to the end of the file. A body without a length is cut
 * at its {@link BodyLimit}, and fails the job when it goes on past it. A 206 that ends short of
 * the file (a host that serves a file in pieces) is followed by a request for the rest, at once;
 * after {@value #TINY_IN_A_ROW} pieces in a row under {@value #TINY} bytes the job fails
 * {@code tiny_ranges}, so a host answering every Range with 4 KiB does not keep a worker for good.
 * One instance per attempt, used on its thread.
 */
public final class SingleStream {
    public static final long TINY = 64 * 1024;
    public static final int TINY_IN_A_ROW = 16;

    private final Downloader downloader;
    private final QueuedJob job;
    private final AttemptGuard guard;
    private final Downloader.Listener listener;

    SingleStream(Downloader downloader, QueuedJob job, AttemptGuard guard,
            Downloader.Listener listener) {
        this.downloader = downloader;
        this.job = job;
        this.guard = guard;
        this.listener = listener;
    }

    /**
     * Copies {@code first} (closed by the caller) and the pieces after it; null when the part now
     * holds the whole file (or all a body without a length had), else how the attempt ends.
     * {@code limit} is null when {@code total} is known.
     */
    Outcome run(BodyStream first, Long total, int status, BodyLimit limit)
            throws IOException, InterruptedException {
        PartFile part = job.state().part();
        BodyStream body = first;
        try {
            for (int tiny = 0; ; ) {
                long from = part.length();
                if (copy(body, total, limit)) {
                    if (limit.dropsPart()) {
                        part.reset();
                    }
                    return limit.passed(status, part.length());
                }
                if (status != 206 || total == null || part.length() >= total) {
                    return ended(total, status);
                }
                tiny = part.length() - from < TINY ? tiny + 1 : 0;
                if (tiny >= TINY_IN_A_ROW) {
                    return new Outcome.Fail("tiny_ranges",
                            "the server answered " + tiny + " Range requests in a"
                            + " row with less than " + TINY + " bytes each ("
                            + (part.length() - from) + " the last)," + " at byte " + part.length()
                            + " of " + total + "; the partial download is kept",
                            status, part.length());
                }
                if (body != first) {
                    body.close();
                }
                HttpFetch.Response next = downloader.handshake().fetch(job, guard,
                        Handshake.rangeHeaders(job, part.length()));
                body = next.response().body();
                Outcome other = nextPiece(next, body, total);
                if (other != null) {
                    return other;
                }
            }
        } finally {
            if (body != first) {
                body.close();
            }
        }
    }

    /** Copies one answer; true when a body without a length went on past the limit. */
    private boolean copy(BodyStream body, Long total, BodyLimit limit)
            throws IOException, InterruptedException {
        PartFile part = job.state().part();
        long end = total != null ? total : Math.max(part.length(), limit.most());
        Segment rest = new Segment(part.length(), end);
        try (PartFile.Writer out = part.writer()) {
            downloader.tools().transfer().copy(body, out, rest, () -> true, guard::onActivity,
                    n -> listener.onBytes(part.length(), total));
        }
        return total == null && part.length() >= end && body.head(1).length > 0;
    }

    /** The part as the last answer left it: the whole file, or short of it. */
    private Outcome ended(Long total, int status) {
        PartFile part = job.state().part();
        if (total != null && part.length() != total) {
            return new Outcome.Retry("incomplete",
                    "connection closed at byte " + part.length() + " of " + total,
                    null, status, part.length());
        }
        ExpectedSize expected = ExpectedSize.of(job.spec());
        if (total == null && expected != null && expected.rulesOut(part.length())) {
            return new Outcome.Retry("incomplete",
                    "the answer gave no length and ended at byte " + part.length()
                    + ", short of the " + (expected.exact() ? "" : "about ") + expected.bytes()
                    + " expected", null, status, part.length());
        }
        return null;
    }

    /**
     * Null when {@code body} is the next piece, from the part's length; else how the attempt ends.
     */
    private Outcome nextPiece(HttpFetch.Response next, BodyStream body, Long total)
            throws IOException {
        PartFile part = job.state().part();
        var verdict = downloader.tools().check()
                .check(next, body, part.length(), job.state().validator(),
                job.spec().expectedSize(), part.length());
        switch (verdict) {
            case ResponseCheck.Verdict.File f when f.start() == part.length() && f.status() == 206
                    && (f.total() == null || f.total().equals(total)) -> {
                return null;
            }
            case ResponseCheck.Verdict.Stop s -> {
                if (s.resetPart()) {
                    part.reset();
                }
                return s.outcome();
            }
            case ResponseCheck.Verdict.File f -> {
                return new Outcome.Retry("resume_mismatch", "the server served the file in pieces,"
                        + " then answered the piece from byte " + part.length() + " with another ("
                        + f.status() + ")", Duration.ZERO, f.status(), part.length());
            }
            case ResponseCheck.Verdict.Whole w -> {
                return new Outcome.Retry("resume_mismatch",
                        "the server cannot serve the piece from byte "
                        + part.length() + " (416)", Duration.ZERO, 416, part.length());
            }
        }
    }
}
