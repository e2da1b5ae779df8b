package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.SignedUrl;
import civitai.daemon.download.fetch.host.Credentials;
import civitai.daemon.download.part.JournalClaim;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.Placement;
import java.net.URI;
import java.util.Set;

/**
 * What the attempts at one job carry from one to the next while the daemon runs: the URL's
 * credentials, the signed URL still worth reusing, the part and its running hash, whether the
 * range journal describes it, the validator of the bytes so far, what stood at the target before
 * the download, and whether the server is fetched over one connection only. Only the attempt
 * classes see it; the queue holds it inside its {@link QueuedJob}. Used by the job's worker
 * thread (the part's byte count and the validator are read by status queries too).
 */
final class AttemptState {
    /** The URL's user:password@, for its own host only. */
    private final Credentials credentials;
    private volatile String validator;
    private volatile PartFile part;
    private JournalClaim journal;
    private SignedUrl signedUrl;
    private boolean existingChecked;
    /** What stood at the target before the download; null for nothing. */
    private Placement.Found found;
    /** Hashes this daemon verified at this target: files of its own, which it may replace. */
    private volatile Set<String> placedHashes = Set.of();
    // a server that failed a segmented attempt gets one connection
    private boolean singleConnection;

    AttemptState(URI url, String validator) {
        this.credentials = Credentials.of(url);
        this.validator = validator;
    }

    Credentials credentials() {
        return credentials;
    }

    /** The strong ETag (or Last-Modified) the bytes so far came with; null when none. */
    String validator() {
        return validator;
    }

    void validator(String value) {
        validator = value;
    }

    /** The open part; null until the target is known. */
    PartFile part() {
        return part;
    }

    /** The part's contiguous prefix; 0 while there is no part. */
    long partLength() {
        PartFile p = part;
        return p == null ? 0 : p.length();
    }

    long bytes() {
        PartFile p = part;
        return p == null ? 0 : p.bytes();
    }

    /**
     * The part is open, and {@code claim} says whether the journal describes it; a reset forgets
     * both.
     */
    void opened(PartFile opened, JournalClaim claim) {
        journal = claim;
        part = opened;
        opened.onReset(claim::forget);
    }

    /** Whether the range journal, not the part's length, describes the part; set with the part. */
    JournalClaim journal() {
        return journal;
    }

    SignedUrl signedUrl() {
        return signedUrl;
    }

    /** The URL a redirect led to; null forgets it (it was refused). */
    void signedUrl(SignedUrl url) {
        signedUrl = url;
    }

    /** True the first time only: what stands at the target is examined once per run. */
    boolean firstLookAtTarget() {
        boolean first = !existingChecked;
        existingChecked = true;
        return first;
    }

    Placement.Found found() {
        return found;
    }

    void found(Placement.Found atTarget) {
        found = atTarget;
    }

    Set<String> placedHashes() {
        return placedHashes;
    }

    void placedHashes(Set<String> sha256s) {
        placedHashes = sha256s;
    }

    boolean singleConnection() {
        return singleConnection;
    }

    /** This server failed a segmented attempt: the next ones use one connection. */
    void useOneConnection() {
        singleConnection = true;
    }

    void settle() {
        PartFile p = part;
        if (p != null) {
            p.settle();
        }
    }
}
