package civitai.daemon.download;

import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.fetch.Credentials;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.store.JobSpec;
import java.nio.file.Path;

/**
 * What one job carries from attempt to attempt within this run: the part and its running hash,
 * the signed URL still worth reusing, the validator of the bytes so far, whether it is fetched in
 * segments. Owned by the job's worker thread; the progress fields are read by status queries from
 * other threads.
 */
final class DownloadTask {
    final long jobId;
    final JobSpec spec;
    /** The URL's user:password@, for its own host only. */
    final Credentials credentials;
    final long startedNanos = System.nanoTime();
    volatile String filename;
    /** The library's file this job was satisfied from, or null when it was downloaded (or already there). */
    volatile Path fromLibrary;
    volatile Long total;
    volatile String validator;
    PartFile part;
    SignedUrl signedUrl;
    boolean existingChecked;
    /** The target taken once its name came from the server (guarded by the queue's lock). */
    String claimedKey;
    /** What stood at the target before the download; null for nothing. */
    Placement.Found found;
    /** Hashes this daemon verified at this target: files of its own, which it may replace. */
    volatile java.util.Set<String> placedHashes = java.util.Set.of();
    boolean singleConnection;  // a server that failed a segmented attempt gets one connection
    /** Whether the range journal, not the part's length, describes the part; set with the part. */
    JournalClaim journal;
    volatile int connections;  // those holding a host slot now
    final SpeedMeter speed = new SpeedMeter();

    DownloadTask(long jobId, JobSpec spec, String knownFilename, String validator, Long total) {
        this.jobId = jobId;
        this.total = total;
        this.spec = spec;
        this.credentials = Credentials.of(spec.url());
        this.filename = knownFilename;
        this.validator = validator;
    }

    long bytes() {
        PartFile p = part;
        return p == null ? 0 : p.bytes();
    }

    /** The target once the filename is known. */
    Path target(Path folder) {
        return filename == null ? null : folder.resolve(filename);
    }
}
