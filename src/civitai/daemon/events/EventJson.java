package civitai.daemon.events;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.time.Instant;

/**
 * An event as JSON: the {@code data:} of a server-sent event, and for the update checker's events
 * the document a webhook receives too (the same one, so both read alike).
 */
public final class EventJson {
    private EventJson() {}

    /** {@code time} is when the event was published, so a client can tell how late it arrived. */
    static String of(Event event, Instant time) {
        return switch (event) {
            case Event.OfJob job -> ofJob(job, time);
            case Event.ModelUpdate u -> payload(u);
            case Event.ModelUpdateError e -> payload(e);
            case Event.ScanProgress p -> ofScan(p, time);
            case Event.ScanFinished f -> ofScan(f, time);
        };
    }

    /**
     * The {@code model_update} document: what the checker found, by its own clock. {@code source}
     * says which fields follow: a Civitai model's ids, or a Hub file's repo, path and commit.
     */
    public static String payload(Event.ModelUpdate u) {
        JsonObject o = new JsonObject().add("event", "model_update")
                .add("timestamp", u.at().toString()).add("source", u.origin().source());
        switch (u.origin()) {
            case Event.CivitaiVersion v -> o.add("model_id", v.modelId())
                    .add("version_id", v.versionId()).add("sha256", u.sha256())
                    .add("updatedAt", v.updatedAt()).add("name", v.modelName());
            case Event.HubFile f -> o.add("repo", f.repo()).add("path", f.path())
                    .add("revision", f.revision()).add("commit", f.commit())
                    .add("sha256", u.sha256()).add("name", f.repo());
        }
        return o.add("filename", u.filename()).toString();
    }

    /** The {@code model_update_error} document: what was checked (no version: none was found). */
    public static String payload(Event.ModelUpdateError e) {
        JsonObject o = new JsonObject().add("event", "model_update_error")
                .add("timestamp", e.at().toString()).add("source", e.origin().source());
        switch (e.origin()) {
            case Event.CivitaiVersion v -> o.add("model_id", v.modelId());
            case Event.HubFile f -> o.add("repo", f.repo()).add("path", f.path())
                    .add("revision", f.revision());
        }
        return o.add("error", e.error()).toString();
    }

    private static String ofJob(Event.OfJob event, Instant time) {
        JsonObject o = new JsonObject().add("job_id", event.jobId()).add("time", time.toString());
        switch (event) {
            case Event.Queued q -> o.add("target", q.target());
            case Event.Started s -> o.add("attempt", s.attempt()).add("offset", s.offset())
                    .add("host", s.host());
            case Event.Progress p -> o.add("bytes", p.bytes()).add("total", nullable(p.total()))
                    .add("bytes_per_second", p.bytesPerSecond())
                    .add("eta_seconds", nullable(p.etaSeconds()))
                    .add("connections", p.connections());
            case Event.Retrying r -> o.add("attempt", r.attempt()).add("reason", r.reason())
                    .add("delay_seconds", r.delay().toMillis() / 1000.0);
            case Event.Verifying v -> { }
            case Event.Completed c -> o.add("path", c.path()).add("sha256", c.sha256())
                    .add("bytes", c.bytes()).add("duration_seconds", c.took().toMillis() / 1000.0)
                    .add("downloaded", c.downloaded());
            case Event.Failed f -> o.add("reason", f.reason()).add("message", f.message());
            case Event.Cancelled c -> { }
            case Event.Paused p -> { }
            case Event.WaitingSpace w -> o.add("message", w.message());
            case Event.Superseded s -> o.add("by_job_id", s.byJobId());
        }
        return o.toString();
    }

    /** A library scan's events carry no job id: they belong to no job. */
    private static String ofScan(Event.ScanProgress p, Instant time) {
        return new JsonObject().add("time", time.toString())
                .add("files_done", p.filesDone()).add("files_total", p.filesTotal())
                .add("bytes_done", p.bytesDone()).add("bytes_total", p.bytesTotal())
                .add("bytes_per_second", p.bytesPerSecond())
                .add("eta_seconds", nullable(p.etaSeconds())).toString();
    }

    private static String ofScan(Event.ScanFinished f, Instant time) {
        return new JsonObject().add("time", time.toString())
                .add("files", f.files()).add("hashed", f.hashed()).add("missing", f.missing())
                .add("skipped", f.skipped()).add("cancelled", f.cancelled())
                .add("duration_seconds", f.took().toMillis() / 1000.0)
                .toString();
    }

    private static JsonValue nullable(Long v) {
        return v == null ? Json.NULL : Json.value(v);
    }
}
