package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.http.library.DiskUse;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;

/**
 * {@code GET /healthz} and {@code GET /api/status}: what the daemon is doing right now, and the
 * room it has: {@code disk_space} per file system under download_dir and the library's roots,
 * {@code library} files and bytes per model type.
 * <pre>
 *   curl -s http://127.0.0.1:8123/api/status
 * </pre>
 */
final class StatusRoutes {
    private final String version;
    private final Instant startedAt;
    private final Clock clock;
    private final int workers;
    private final JobStore store;
    private final DownloadQueue queue;
    private final IntSupplier port;
    private final ManifestFile manifest;
    private final DiskUse disks;

    StatusRoutes(String version, Clock clock, int workers, JobStore store, DownloadQueue queue,
            IntSupplier port, ManifestFile manifest, DiskUse disks) {
        this.manifest = manifest;
        this.disks = disks;
        this.version = version;
        this.clock = clock;
        this.startedAt = Instant.now(clock);
        this.workers = workers;
        this.store = store;
        this.queue = queue;
        this.port = port;
    }

    Reply health(Request r) {
        return Reply.ok(new JsonObject().add("status", "ok"));
    }

    /** Space held by the parts of failed and paused jobs (a full disk leaves one to resume). */
    private JsonObject partials() {
        DownloadQueue.Partials p = queue.partials();
        return new JsonObject().add("jobs", p.jobs()).add("bytes", p.bytes());
    }

    /** Writes the database had no room for (a full disk), kept in memory until it has. */
    private JsonObject database() {
        int held = store.heldWrites();
        String error = held == 0 ? null : "its disk is full: " + held + " job write(s) are kept in"
                + " memory and recorded once it has room; nothing new starts meanwhile";
        return new JsonObject().add("writes_held", held).add("error", JsonValues.nullable(error));
    }

    Reply status(Request r) {
        JsonObject counts = new JsonObject();
        store.countsByState().forEach((state, n) -> counts.add(state.key(), n));
        JsonArray active = new JsonArray();
        long totalSpeed = 0;
        for (ActiveDownload a : queue.active()) {
            totalSpeed += a.bytesPerSecond();
            active.add(new JsonObject()
                    .add("id", a.jobId())
                    .add("model_type", a.modelType())
                    .add("filename", JsonValues.nullable(a.filename()))
                    .add("bytes", a.bytes())
                    .add("total", JsonValues.nullable(a.total()))
                    .add("bytes_per_second", a.bytesPerSecond())
                    .add("eta_seconds", JsonValues.nullable(a.etaSeconds()))
                    .add("connections", a.connections()));
        }
        return Reply.ok(new JsonObject()
                .add("name", "civitai-daemon")
                .add("version", version)
                .add("uptime_seconds", Duration.between(startedAt, Instant.now(clock)).toSeconds())
                .add("port", port.getAsInt())
                .add("workers", workers)
                .add("jobs", counts)
                .add("active", active)
                .add("bytes_per_second", totalSpeed)
                .add("partial_downloads", partials())
                .add("disk_space", disks.disksJson())
                .add("library", disks.libraryJson())
                .add("database", database())
                .add("manifest", new JsonObject().add("path", manifest.path().toString())
                        .add("error", JsonValues.nullable(manifest.problem()))));
    }
}
