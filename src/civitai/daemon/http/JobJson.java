package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.log.Redactor;
import civitai.daemon.store.jobs.Job;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/** A job as the API shows it. URLs lose their credential-like query values on the way out. */
final class JobJson {

    private JobJson() {}

    /** The running downloads by job, looked up once per request (not once per job listed). */
    static Map<Long, ActiveDownload> live(DownloadQueue queue) {
        return queue.active().stream().collect(Collectors.toMap(ActiveDownload::jobId, a -> a));
    }

    /** The few fields that say which job it is and where it stands (batch answers). */
    static JsonObject brief(Job job) {
        return new JsonObject()
                .add("id", job.id())
                .add("state", job.state().key())
                .add("model_type", job.spec().modelType())
                .add("filename", JsonValues.nullable(filename(job, null)))
                .add("url", Redactor.urls(job.spec().url().toString()))
                .add("priority", job.spec().priority())
                .add("expected_sha256", JsonValues.nullable(job.spec().expectedSha256()));
    }

    static JsonObject of(Job job, ActiveDownload live) {
        JsonObject o = new JsonObject()
                .add("id", job.id())
                .add("state", job.state().key())
                .add("model_type", job.spec().modelType())
                .add("filename", JsonValues.nullable(filename(job, live)))
                .add("url", Redactor.urls(job.spec().url().toString()))
                .add("model_id", JsonValues.nullable(job.spec().modelId()))
                .add("priority", job.spec().priority())
                .add("updated_at", JsonValues.nullable(job.spec().updatedAt()))
                .add("expected_sha256", JsonValues.nullable(job.spec().expectedSha256()))
                .add("expected_size", JsonValues.nullable(job.spec().expectedSize()))
                .add("sha256", JsonValues.nullable(job.sha256()))
                .add("attempts", job.attempts())
                .add("bytes", live != null ? live.bytes() : job.bytesDone())
                .add("total", JsonValues.nullable(live != null && live.total() != null
                        ? live.total() : job.totalBytes()))
                .add("connections", live != null ? live.connections() : 0)
                .add("path", JsonValues.nullable(job.targetPath()))
                .add("from_library", JsonValues.nullable(job.fromLibrary()))
                .add("failure_reason", JsonValues.nullable(job.failureReason()))
                .add("last_error", JsonValues.nullable(job.lastError()))
                .add("created_at", JsonValues.nullable(job.createdAt()))
                .add("started_at", JsonValues.nullable(job.startedAt()))
                .add("finished_at", JsonValues.nullable(job.finishedAt()))
                .add("duration_seconds", job.durationMs() == null ? Json.NULL
                        : Json.value(job.durationMs() / 1000.0));
        if (live != null) {
            o.add("bytes_per_second", live.bytesPerSecond())
                    .add("eta_seconds", JsonValues.nullable(live.etaSeconds()));
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

}
