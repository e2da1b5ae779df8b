package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.PartOnDisk;
import civitai.daemon.download.retry.ResponseCheck;
import civitai.daemon.target.Targets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A part and the range journal of its segmented download, kept in agreement: a journal is trusted
 * only when the part still holds every byte it claims (else the part is cut back to the journalled
 * prefix and the journal forgotten); and the two decisions that depend on it — continue in
 * segments, or split an answer that is the file. Stateless.
 */
final class PartJournal {
    private PartJournal() {}

    /**
     * The part as the journal of a segmented download describes it, when there is one and the part
     * still holds every byte it claims; else the part's bytes as one prefix. The job's attempts
     * carry both from here on.
     */
    static void open(QueuedJob job, Path target, Downloader.Segmenting segmenting)
            throws DiskException {
        JournalClaim journal = new JournalClaim(segmenting.journal(), job.jobId());
        job.state().opened(read(job, target, segmenting.buffers(), journal), journal);
    }

    private static PartFile read(QueuedJob job, Path target, BufferBudget budget,
            JournalClaim journal) throws DiskException {
        Map<Long, Long> ranges = new TreeMap<>(journal.recorded());
        if (ranges.isEmpty()) {
            return PartFile.beside(target, budget);
        }
        Path path = Targets.part(target);
        long prefix = ranges.getOrDefault(0L, 0L);
        if (JournalClaim.trusts(ranges, PartOnDisk.sizeOf(path), job.total(),
                job.state().validator())) {
            ranges.remove(0L);
            journal.adopt();
            return PartFile.journalled(target, budget, prefix, ranges);
        }
        journal.forget();
        PartOnDisk.truncate(path, prefix);  // bytes beyond the journalled prefix are not trusted
        return PartFile.beside(target, budget);
    }

    /**
     * This attempt fetches the part's gaps in segments: the part has journalled ranges, or it is a
     * prefix (one connection's) of a file whose size and validator are known and worth splitting.
     * Then the first request asks for its first piece alone: asked for the rest open-ended, a host
     * sends past the piece until the connection closes (nginx's limit_rate a second's worth).
     */
    static boolean resumesInSegments(QueuedJob job, Downloader.Segmenting segmenting) {
        AttemptState state = job.state();
        Long total = job.total();
        if (state.part() == null || state.singleConnection() || total == null
                || state.partLength() >= total) {
            return false;
        }
        return state.journal().describes() || state.partLength() > 0 && state.validator() != null
                && segmenting.connections() > 1
                && total - state.partLength() >= 2 * segmenting.minSegmentSize();
    }

    /**
     * Whether an answer that is the file may be fetched the rest of the way by several connections.
     */
    static boolean splittable(QueuedJob job, ResponseCheck.Verdict.File file,
            HttpFetch.Response fetched, Downloader.Segmenting segmenting) {
        boolean ranges = file.status() == 206
                || fetched.response().headers().firstValue("Accept-Ranges")
                .map(v -> v.toLowerCase(Locale.ROOT).contains("bytes")).orElse(false);
        return ranges && segmenting.connections() > 1 && !job.state().singleConnection()
                && file.total() != null && (file.validator() != null
                        || job.spec().expectedSha256() != null)
                && file.total() - file.start() >= 2 * segmenting.minSegmentSize();
    }
}
