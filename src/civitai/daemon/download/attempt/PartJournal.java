package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A part and the range journal of its segmented download, kept in agreement: a journal is trusted
 * only when the part still holds every byte it claims (else the part is cut back to the journalled
 * prefix and the journal forgotten); and the two decisions that depend on it — continue in
 * segments, or split an answer that is the file. Stateless.
 */
public final class PartJournal {
    private PartJournal() {}

    /**
     * The part as the journal of a segmented download describes it, when there is one and the part
     * still holds every byte it claims; else the part's bytes as one prefix.
     */
    public static PartFile open(DownloadTask task, Path target, Downloader.Segmenting segmenting) throws DiskException {
        BufferBudget budget = segmenting.buffers();
        JournalClaim journal = new JournalClaim(segmenting.journal(), task.jobId);
        task.journal = journal;
        Map<Long, Long> ranges = new TreeMap<>(journal.recorded());
        if (ranges.isEmpty()) {
            return PartFile.beside(target, budget);
        }
        Path path = Targets.part(target);
        long prefix = ranges.getOrDefault(0L, 0L);
        if (JournalClaim.trusts(ranges, PartFile.sizeOf(path), task.total, task.validator)) {
            ranges.remove(0L);
            journal.adopt();
            return PartFile.journalled(target, budget, prefix, ranges);
        }
        journal.forget();
        truncate(path, prefix);  // bytes beyond the journalled prefix are not trusted
        return PartFile.beside(target, budget);
    }

    /**
     * This attempt fetches the part's gaps in segments: the part has journalled ranges, or it is a
     * prefix (one connection's) of a file whose size and validator are known and worth splitting.
     * Then the first request asks for its first piece alone: asked for the rest open-ended, a host
     * sends past the piece until the connection closes (nginx's limit_rate a second's worth).
     */
    public static boolean resumesInSegments(DownloadTask task, Downloader.Segmenting segmenting) {
        if (task.part == null || task.singleConnection || task.total == null || task.part.length() >= task.total) {
            return false;
        }
        return task.journal.describes() || task.part.length() > 0 && task.validator != null && segmenting.connections() > 1
                && task.total - task.part.length() >= 2 * segmenting.minSegmentSize();
    }

    /** Whether an answer that is the file may be fetched the rest of the way by several connections. */
    public static boolean splittable(DownloadTask task, ResponseCheck.Verdict.File file, HttpFetch.Response fetched,
            Downloader.Segmenting segmenting) {
        boolean ranges = file.status() == 206 || fetched.response().headers().firstValue("Accept-Ranges")
                .map(v -> v.toLowerCase(Locale.ROOT).contains("bytes")).orElse(false);
        return ranges && segmenting.connections() > 1 && !task.singleConnection && file.total() != null
                && (file.validator() != null || task.spec.expectedSha256() != null)
                && file.total() - file.start() >= 2 * segmenting.minSegmentSize();
    }

    private static void truncate(Path file, long length) throws DiskException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() > length) {
                ch.truncate(length);
            }
        } catch (IOException e) {
            throw DiskException.of("write", file, e);
        }
    }
}
