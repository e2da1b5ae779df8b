package civitai.daemon.http;

import civitai.daemon.download.ActiveDownload;
import civitai.daemon.log.Redactor;
import civitai.daemon.store.Job;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.nio.file.Path;
import java.time.Instant;

/** A job as the API shows it. URLs lose their credential-like query values on the way out. */
final class JobJson {

    private JobJson() {}

    /** The few fields that say which job it is and where it stands (batch answers). */
    static JsonObject brief(Job job) {
        return new JsonObject()
                .add("id", job.id())
                .add("state", job.state().key())
                .add("model_type", job.spec().modelType())
                .add("filename", nullable(filename(job, null)))
                .add("url", Redactor.urls(job.spec().url().toString()))
                .add("priority", job.spec().priority())
                .add("expected_sha256", nullable(job.spec().expectedSha256()));
    }

    static JsonObject of(Job job, ActiveDownload live) {
        JsonObject o = new JsonObject()
                .add("id", job.id())
                .add("state", job.state().key())
                .add("model_type", job.spec().modelType())
                .add("filename", nullable(filename(job, live)))
                .add("url", Redactor.urls(job.spec().url().toString()))
                .add("model_id", nullable(job.spec().modelId()))
                .add("priority", job.spec().priority())
                .add("updated_at", nullable(job.spec().updatedAt()))
                .add("expected_sha256", nullable(job.spec().expectedSha256()))
                .add("expected_size", nullable(job.spec().expectedSize()))
                .add("sha256", nullable(job.sha256()))
                .add("attempts", job.attempts())
                .add("bytes", live != null ? live.bytes() : job.bytesDone())
                .add("total", nullable(live != null && live.total() != null ? live.total() : job.totalBytes()))
                .add("connections", live != null ? live.connections() : 0)
                .add("path", nullable(job.targetPath()))
                .add("from_library", nullable(job.fromLibrary()))
                .add("failure_reason", nullable(job.failureReason()))
                .add("last_error", nullable(job.lastError()))
                .add("created_at", nullable(job.createdAt()))
                .add("started_at", nullable(job.startedAt()))
                .add("finished_at", nullable(job.finishedAt()))
                .add("duration_seconds", job.durationMs() == null ? Json.NULL : Json.value(job.durationMs() / 1000.0));
        if (live != null) {
            o.add("bytes_per_second", live.bytesPerSecond()).add("eta_seconds", nullable(live.etaSeconds()));
        }
        return o;
    }

    /**
     * The entry's file name, else the one the server gave: the running attempt knows it first,
     * the target path once the file is placed.
     */
    private static String filename(Job job, ActiveDownload live) {
        if (job.spec().filename() != null) {
            return job.spec().filename();
        }
        if (live != null && live.filename() != null) {
            return live.filename();
        }
        return job.targetPath() == null ? null : Path.of(job.targetPath()).getFileName().toString();
    }

    static JsonValue nullable(Long v) {
        return v == null ? Json.NULL : Json.value(v);
    }

    static JsonValue nullable(String v) {
        return v == null ? Json.NULL : Json.value(v);
    }

    static JsonValue nullable(Instant v) {
        return v == null ? Json.NULL : Json.value(v.toString());
    }
}
