package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.Credentials;
import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.rules.SpeedMeter;
import civitai.daemon.store.jobs.JobSpec;
import java.nio.file.Path;

/**
 * What one job carries from attempt to attempt within this run: the part and its running hash,
 * the signed URL still worth reusing, the validator of the bytes so far, whether it is fetched in
 * segments. Owned by the job's worker thread; the progress fields are read by status queries from
 * other threads.
 */
public final class DownloadTask {
    public final long jobId;
    public final JobSpec spec;
    /** The URL's user:password@, for its own host only. */
    public final Credentials credentials;
    public final long startedNanos = System.nanoTime();
    public volatile String filename;
    /** The library's file this job was satisfied from, or null when it was downloaded (or already there). */
    public volatile Path fromLibrary;
    public volatile Long total;
    public volatile String validator;
    public PartFile part;
    public SignedUrl signedUrl;
    public boolean existingChecked;
    /** The target taken once its name came from the server (guarded by the queue's lock). */
    public String claimedKey;
    /** What stood at the target before the download; null for nothing. */
    public Placement.Found found;
    /** Hashes this daemon verified at this target: files of its own, which it may replace. */
    public volatile java.util.Set<String> placedHashes = java.util.Set.of();
    public boolean singleConnection;  // a server that failed a segmented attempt gets one connection
    /** Whether the range journal, not the part's length, describes the part; set with the part. */
    public JournalClaim journal;
    public volatile int connections;  // those holding a host slot now
    public final SpeedMeter speed = new SpeedMeter();

    public DownloadTask(long jobId, JobSpec spec, String knownFilename, String validator, Long total) {
        this.jobId = jobId;
        this.total = total;
        this.spec = spec;
        this.credentials = Credentials.of(spec.url());
        this.filename = knownFilename;
        this.validator = validator;
    }

    public long bytes() {
        PartFile p = part;
        return p == null ? 0 : p.bytes();
    }

    /** The target once the filename is known. */
    public Path target(Path folder) {
        return filename == null ? null : folder.resolve(filename);
    }
}
