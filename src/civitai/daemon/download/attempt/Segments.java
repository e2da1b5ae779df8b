package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Answer;
import civitai.daemon.download.fetch.AnswerClassifier;
import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.HttpFetch;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plans one segmented attempt and settles how it ended: the rest of the file cut into pieces that
 * the connections take in file order, the first fed by the answer already open; a resume fetches
 * the gaps the part still has. An attempt that
 * must fall back leaves the part as one clean prefix (or nothing, when the file changed) for a
 * single connection. Runs on the attempt's thread.
 */
final class Segments {
    private static final long MIN_STEAL = 256 * 1024;
    private static final long MIN_PIECE = 1L << 20;

    private final Downloader downloader;
    private final QueuedJob job;
    private final AttemptGuard guard;
    private final Downloader.Listener listener;
    private final Downloader.Segmenting segmenting;

    Segments(Downloader downloader, QueuedJob job, AttemptGuard guard,
            Downloader.Listener listener) {
        this.downloader = downloader;
        this.job = job;
        this.guard = guard;
        this.listener = listener;
        this.segmenting = downloader.segmenting();
    }

    /** The answer to the first request is the file from the part's length: split the rest. */
    Outcome fresh(URI url, BodyStream body) throws IOException, InterruptedException {
        PartFile part = job.state().part();
        Segment first = new Segment(part.length(), job.total());
        List<Segment> rest = new ArrayList<>();
        cutIntoPieces(first, rest, segmenting.connections());
        return run(url, first, rest, body, true);
    }

    /** The part holds ranges from an earlier attempt: fetch its gaps. */
    Outcome resume() throws IOException, InterruptedException {
        List<Segment> gaps = gaps(job.state().part(), job.total());
        if (gaps.isEmpty()) {
            return downloader.place(job, listener, 206);
        }
        Segment first = gaps.remove(0);
        // before asking: the request is for the first piece alone
        cutIntoPieces(first, gaps, segmenting.connections());
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Range", "bytes=" + first.start + "-" + (first.end() - 1));
        headers.put("If-Range", job.state().validator());
        HttpFetch.Response fetched = downloader.handshake().fetch(job, guard, headers);
        BodyStream body = fetched.response().body();
        boolean handedOver = false;
        try {
            Outcome early = firstAnswer(fetched, body, first);
            if (early != null) {
                return early;
            }
            handedOver = true;
            return run(fetched.uri(), first, gaps, body, false);
        } finally {
            if (!handedOver) {
                body.close();
            }
        }
    }

    /** Null when the answer is the asked-for range of the same file; else how the attempt ends. */
    private Outcome firstAnswer(HttpFetch.Response fetched, BodyStream body, Segment first)
            throws IOException {
        int status = fetched.response().statusCode();
        var asked = new AnswerClassifier.Asked(first.start, first.end() - 1,
                job.state().validator(), null, job.state().part().length(),
                job.spec().expectedSize());
        Answer answer = AnswerClassifier.classify(asked, status, fetched.response().headers(),
                null);
        return switch (answer) {
            case Answer.File f -> null;
            case Answer.RangeIgnored r -> restartOrFallBack(r.changed(), status);
            case Answer.Changed c -> restartOrFallBack(true, status);
            // the prefix is not the whole file
            case Answer.Complete c -> restartOrFallBack(true, status);
            case Answer.Encoded e -> ResponseCheck.encoded(fetched, e, job.state().part().length());
            case Answer.WrongRange w -> restartOrFallBack(false, status);
            case Answer.Refused r -> refused(fetched, body, r, first);
            case Answer.Redirect r -> refused(fetched, body,
                    new Answer.Refused(status, Answer.Refusal.FINAL, null), first);
        };
    }

    private Outcome restartOrFallBack(boolean changed, int status) throws DiskException {
        return fallBack(new SegmentedDownload.End(new Outcome.Retry("resume_mismatch", changed
                ? "the file changed on the server since the last attempt; restarting it"
                : "the server did not resume the part as asked; continuing with one connection",
                Duration.ZERO, status, job.state().part().bytes()), changed, true));
    }

    private Outcome refused(HttpFetch.Response fetched, BodyStream body, Answer.Refused refused,
            Segment first) throws IOException {
        return downloader.tools().check()
                .refusal(fetched, body, refused, first.start, job.state().part().length());
    }

    private Outcome run(URI url, Segment first, List<Segment> rest, BodyStream body,
            boolean firstHasSlot) throws IOException, InterruptedException {
        PartFile part = job.state().part();
        int connections = segmenting.connections();
        try {
            part.force();  // the journal may only claim bytes on disk
        } catch (DiskException e) {
            body.close();  // not handed over: its read-ahead goes back to the budget
            if (firstHasSlot) {
                segmenting.slots().release(url);
            }
            throw e;
        }
        Map<Long, Long> before = new TreeMap<>(part.ahead());
        if (part.length() > 0) {
            before.put(0L, part.length());
        }
        long minSteal = Math.max(MIN_STEAL, segmenting.minSegmentSize() / 8);
        SegmentPlan<SegmentedDownload.End> plan =
                new SegmentPlan<>(first, rest, before, minSteal, connections, url);
        job.state().journal().adopt();
        SegmentedDownload.End end = new SegmentedDownload(downloader.tools(), job, plan, guard,
                listener).run(connections, first, body, firstHasSlot);
        if (end == null && part.length() == job.total()) {
            return downloader.place(job, listener, 206);
        }
        if (end == null) {
            end = new SegmentedDownload.End(new Outcome.Retry("incomplete",
                    "the segments ended at byte " + part.length() + " of " + job.total(), null,
                    null, part.bytes()), false, false);
        }
        return fallBack(end);
    }

    /** Leaves the part as the next attempt needs it, and says how this one ended. */
    private Outcome fallBack(SegmentedDownload.End end) throws DiskException {
        if (end.resetPart()) {
            job.state().part().reset();  // forgets the journal too
        } else if (end.singleConnection()) {
            job.state().part().keepPrefix();
            job.state().journal().forget();
        }
        if (end.singleConnection()) {
            job.state().useOneConnection();
        }
        return end.outcome();
    }

    /**
     * Cuts the work into pieces that connections take in file order, so the hashed prefix follows
     * the download closely (SHA-256 cannot hash ahead of it, and bytes ahead wait to be read back):
     * pieces of {@code min_segment_size}, smaller when the file is small for its connections (about
     * four pieces each), at least 1 MiB unless min_segment_size is smaller. {@code first} keeps
     * the first piece; {@code rest} becomes the others, in file order.
     */
    private void cutIntoPieces(Segment first, List<Segment> rest, int connections) {
        long min = segmenting.minSegmentSize();
        long left = first.remaining() + rest.stream().mapToLong(Segment::remaining).sum();
        long piece = Math.max(Math.min(MIN_PIECE, min), Math.min(min, left / (4L * connections)));
        List<Segment> pieces = new ArrayList<>();
        List<Segment> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        for (Segment s : all) {
            Segment current = s;
            while (current != null) {
                if (current != first) {
                    pieces.add(current);
                }
                current = current.remaining() >= 2 * piece ? current.cut(current.done() + piece)
                        : null;
            }
        }
        rest.clear();
        rest.addAll(pieces);
    }

    /** The ranges of {@code [0, total)} the part does not hold yet. */
    static List<Segment> gaps(PartFile part, long total) {
        List<Segment> gaps = new ArrayList<>();
        long at = part.length();
        for (var r : part.ahead().entrySet()) {
            if (r.getKey() > at) {
                gaps.add(new Segment(at, r.getKey()));
            }
            at = Math.max(at, r.getValue());
        }
        if (at < total) {
            gaps.add(new Segment(at, total));
        }
        return gaps;
    }
}
