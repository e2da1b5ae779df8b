package civitai.daemon.http;

import civitai.daemon.download.ActiveDownload;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.store.JobStore;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /healthz} and {@code GET /api/status}: what the daemon is doing right now.
 * <pre>
 *   curl -s http://127.0.0.1:8123/api/status
 * </pre>
 */
public final class StatusRoutes {
    private final String version;
    private final Instant startedAt;
    private final Clock clock;
    private final int workers;
    private final JobStore store;
    private final DownloadQueue queue;
    private final java.util.function.IntSupplier port;

    public StatusRoutes(String version, Clock clock, int workers, JobStore store, DownloadQueue queue,
            java.util.function.IntSupplier port) {
        this.version = version;
        this.clock = clock;
        this.startedAt = Instant.now(clock);
        this.workers = workers;
        this.store = store;
        this.queue = queue;
        this.port = port;
    }

    public Map<String, Server.Route> routes() {
        Map<String, Server.Route> routes = new LinkedHashMap<>();
        routes.put("/healthz", exchange -> {
            Server.requireGet(exchange, "/healthz");
            return new JsonObject().add("status", "ok");
        });
        routes.put("/api/status", exchange -> {
            Server.requireGet(exchange, "/api/status");
            return status();
        });
        return routes;
    }

    JsonObject status() {
        JsonObject counts = new JsonObject();
        store.countsByState().forEach((state, n) -> counts.add(state.key(), n));
        JsonArray active = new JsonArray();
        long totalSpeed = 0;
        for (ActiveDownload a : queue.active()) {
            totalSpeed += a.bytesPerSecond();
            active.add(new JsonObject()
                    .add("id", a.jobId())
                    .add("model_type", a.modelType())
                    .add("filename", Json.nullable(a.filename()))
                    .add("bytes", a.bytes())
                    .add("total", Json.nullable(a.total()))
                    .add("bytes_per_second", a.bytesPerSecond())
                    .add("eta_seconds", Json.nullable(a.etaSeconds())));
        }
        return new JsonObject()
                .add("name", "civitai-daemon")
                .add("version", version)
                .add("uptime_seconds", Duration.between(startedAt, Instant.now(clock)).toSeconds())
                .add("port", port.getAsInt())
                .add("workers", workers)
                .add("jobs", counts)
                .add("active", active)
                .add("bytes_per_second", totalSpeed);
    }
}
