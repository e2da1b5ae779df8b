package civitai.daemon.events;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;

/** An event as the JSON {@code data:} of a server-sent event. */
final class EventJson {
    private EventJson() {}

    /** {@code time} is when the event was published, so a client can tell how late it arrived. */
    static String of(Event event, java.time.Instant time) {
        JsonObject o = new JsonObject();
        if (event.jobId() != 0) {
            o.add("job_id", event.jobId());
        }
        o.add("time", time.toString());
        switch (event) {
            case Event.Queued q -> o.add("target", q.target());
            case Event.Started s -> o.add("attempt", s.attempt()).add("offset", s.offset()).add("host", s.host());
            case Event.Progress p -> o.add("bytes", p.bytes()).add("total", nullable(p.total()))
                    .add("bytes_per_second", p.bytesPerSecond()).add("eta_seconds", nullable(p.etaSeconds()))
                    .add("connections", p.connections());
            case Event.Retrying r -> o.add("attempt", r.attempt()).add("reason", r.reason())
                    .add("delay_seconds", r.delay().toMillis() / 1000.0);
            case Event.Verifying v -> { }
            case Event.Completed c -> o.add("path", c.path()).add("sha256", c.sha256()).add("bytes", c.bytes())
                    .add("duration_seconds", c.took().toMillis() / 1000.0).add("downloaded", c.downloaded());
            case Event.Failed f -> o.add("reason", f.reason()).add("message", f.message());
            case Event.Cancelled c -> { }
            case Event.Paused p -> { }
            case Event.Superseded s -> o.add("by_job_id", s.byJobId());
            case Event.ScanProgress p -> o.add("files_done", p.filesDone()).add("files_total", p.filesTotal())
                    .add("bytes_done", p.bytesDone()).add("bytes_total", p.bytesTotal())
                    .add("bytes_per_second", p.bytesPerSecond()).add("eta_seconds", nullable(p.etaSeconds()));
            case Event.ScanFinished f -> o.add("files", f.files()).add("hashed", f.hashed()).add("missing", f.missing())
                    .add("skipped", f.skipped()).add("cancelled", f.cancelled())
                    .add("duration_seconds", f.took().toMillis() / 1000.0);
        }
        return o.toString();
    }

    private static JsonValue nullable(Long v) {
        return v == null ? Json.NULL : Json.value(v);
    }
}
