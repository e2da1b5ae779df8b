package civitai.daemon.http.intake;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.util.List;

/**
 * The one way an entry a person sends becomes a job: a Civitai reference resolved, the entry
 * checked, recorded in manifest.json, then queued (a superseded job taken back). Used by
 * {@code /api/download}, {@code /api/batch} and {@code /api/workflow}. Thread-safe.
 */
public final class Intake {
    private final DownloadQueue queue;
    private final ManifestFile manifest;
    private final References references;

    public Intake(DownloadQueue queue, ManifestFile manifest, References references) {
        this.queue = queue;
        this.manifest = manifest;
        this.references = references;
    }

    /** The entry as sent (a full entry or a reference) as a checked entry. */
    public ManifestEntry entry(JsonValue sent)
            throws References.NotResolved, EntryParser.InvalidEntry {
        return EntryParser.parse(references.resolveIfReference(sent));
    }

    /** Records the entries and queues each; returns each stored job, in order. */
    public List<JobStore.Inserted> add(List<ManifestEntry> entries) throws IOException {
        record(entries);
        return entries.stream().map(e -> queue.reclaim(queue.submit(e.toSpec()))).toList();
    }

    /** Adds the entries to manifest.json, so they come back at the next start. */
    public void record(List<ManifestEntry> entries) throws IOException {
        try {
            manifest.append(entries);
        } catch (Manifest.ManifestException e) {
            throw new ApiException(409, "manifest_invalid",
                    e.getMessage() + "; fix it, then add again");
        } catch (IOException e) {
            throw new ApiException(503, "manifest_unwritable", "cannot record the entry in "
                    + manifest.path() + ": " + e.getMessage());
        }
    }

    /** What happened to an add, in the API's words: queued now, or known already. */
    public static String outcome(JobStore.Inserted inserted) {
        Job job = inserted.job();
        return inserted.created() ? "queued"
                : job.state() == JobState.COMPLETED ? "already_completed" : "already_known";
    }

    /**
     * Whether {@code url} names a Civitai model, version or download, which Civitai resolves and
     * verifies.
     */
    public boolean isCivitai(String url) {
        return references.isCivitai(url);
    }
}
