package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.http.library.DiskUse;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.library.index.LibraryQuery;
import civitai.daemon.store.jobs.JobHistory.Metrics;
import civitai.daemon.store.jobs.JobHistory.Tally;
import civitai.daemon.store.jobs.JobHistory;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/metrics} (JSON) and {@code GET /metrics} or {@code ?format=prometheus} (the same
 * figures in Prometheus text format): what was downloaded, how fast, what failed and why.
 */
final class MetricsRoutes {
    private final JobStore store;
    private final JobHistory history;
    private final DownloadQueue queue;
    private final DiskUse disks;

    MetricsRoutes(JobStore store, JobHistory history, DownloadQueue queue, DiskUse disks) {
        this.store = store;
        this.history = history;
        this.queue = queue;
        this.disks = disks;
    }

    Reply get(Request r) {
        String format = r.query("format");
        if (format != null && !format.equals("json")) {
            if (format.equals("prometheus")) {
                return prometheus(r);
            }
            throw ApiException.badRequest("format=" + format + " is not json or prometheus");
        }
        Metrics m = history.metrics(store.countsByState());
        JsonObject states = new JsonObject();
        m.jobsByState().forEach((s, n) -> states.add(s.key(), n));
        JsonObject failures = new JsonObject();
        m.failuresByReason().forEach(failures::add);
        return Reply.ok(new JsonObject()
                .add("jobs", states)
                .add("bytes_completed", m.bytesCompleted())
                .add("bytes_transferred", m.bytesTransferred())
                .add("average_bytes_per_second", number(m.averageSpeed()))
                .add("best_bytes_per_second", number(m.bestSpeed()))
                .add("success_rate", number(m.successRate()))
                .add("retries", m.retries())
                .add("failures_by_reason", failures)
                .add("per_day", tallies(m.perDay()))
                .add("per_model_type", tallies(m.perModelType()))
                .add("webhooks", counts(m.webhooksByState()))
                .add("library", disks.libraryJson())
                .add("disk_space", disks.disksJson()));
    }

    Reply prometheus(Request r) {
        Metrics m = history.metrics(store.countsByState());
        StringBuilder out = new StringBuilder();
        help(out, "civitai_daemon_jobs", "gauge", "Jobs by state.");
        m.jobsByState().forEach((s, n) ->
                out.append("civitai_daemon_jobs{state=\"").append(s.key()).append("\"} ").append(n)
                        .append('\n'));
        help(out, "civitai_daemon_queue_depth", "gauge", "Jobs waiting to start.");
        line(out, "civitai_daemon_queue_depth", m.jobsByState().get(JobState.QUEUED));
        help(out, "civitai_daemon_active_downloads", "gauge", "Downloads running now.");
        line(out, "civitai_daemon_active_downloads", queue.active().size());
        help(out, "civitai_daemon_bytes_total", "counter", "Bytes received over all attempts.");
        line(out, "civitai_daemon_bytes_total", m.bytesTransferred());
        help(out, "civitai_daemon_completed_bytes_total", "counter", "Bytes of completed files.");
        line(out, "civitai_daemon_completed_bytes_total", m.bytesCompleted());
        help(out, "civitai_daemon_retries_total", "counter", "Attempts that ended in a retry.");
        line(out, "civitai_daemon_retries_total", m.retries());
        help(out, "civitai_daemon_failures", "gauge", "Failed jobs by reason.");
        m.failuresByReason().forEach((reason, n) -> out.append("civitai_daemon_failures{reason=\"")
                .append(escape(reason)).append("\"} ").append(n).append('\n'));
        help(out, "civitai_daemon_webhook_failures_total", "counter",
                "Webhook deliveries that gave up.");
        line(out, "civitai_daemon_webhook_failures_total",
                m.webhooksByState().getOrDefault("failed", 0L));
        help(out, "civitai_daemon_webhook_pending", "gauge",
                "Webhook deliveries waiting to be sent.");
        line(out, "civitai_daemon_webhook_pending",
                m.webhooksByState().getOrDefault("pending", 0L));
        libraryLines(out);
        diskLines(out);
        return new Reply.Text(200, "text/plain; version=0.0.4; charset=utf-8", out.toString());
    }

    private void libraryLines(StringBuilder out) {
        LibraryQuery.Totals t = disks.query().totals();
        help(out, "civitai_daemon_library_files", "gauge",
                "Model files present in the library's index.");
        line(out, "civitai_daemon_library_files", t.files());
        help(out, "civitai_daemon_library_bytes", "gauge",
                "Bytes of the library's files (a hard-linked file once).");
        line(out, "civitai_daemon_library_bytes", t.bytes());
        help(out, "civitai_daemon_library_wasted_bytes", "gauge",
                "Bytes taken by duplicate copies beyond the first.");
        line(out, "civitai_daemon_library_wasted_bytes", t.wastedBytes());
        Map<String, LibraryQuery.Use> byType = disks.byType();
        help(out, "civitai_daemon_library_type_files", "gauge",
                "Model files in the library's index, per model type.");
        byType.forEach((type, use) -> labelled(out, "civitai_daemon_library_type_files",
                "model_type", type, use.files()));
        help(out, "civitai_daemon_library_type_bytes", "gauge",
                "Bytes of the library's files per model type.");
        byType.forEach((type, use) -> labelled(out, "civitai_daemon_library_type_bytes",
                "model_type", type, use.bytes()));
        help(out, "civitai_daemon_library_hashed_bytes_total", "counter",
                "Bytes hashed by library scans.");
        line(out, "civitai_daemon_library_hashed_bytes_total", disks.library().hashedBytes());
        Event.ScanProgress now = disks.library().status().progress();
        help(out, "civitai_daemon_library_hash_bytes_per_second", "gauge",
                "The running scan's hashing rate (0: none runs).");
        line(out, "civitai_daemon_library_hash_bytes_per_second",
                now == null ? 0 : now.bytesPerSecond());
    }

    /** Each file system models are on, labelled by the first folder on it (download_dir first). */
    private void diskLines(StringBuilder out) {
        List<SpaceGate.Disk> all = disks.disks();
        help(out, "civitai_daemon_free_bytes", "gauge",
                "Free bytes on each file system models are on.");
        all.forEach(d -> labelled(out, "civitai_daemon_free_bytes", "path", d.path().toString(),
                d.free()));
        help(out, "civitai_daemon_size_bytes", "gauge", "Size of each file system models are on.");
        all.forEach(d -> labelled(out, "civitai_daemon_size_bytes", "path", d.path().toString(),
                d.total()));
        help(out, "civitai_daemon_min_free_bytes", "gauge",
                "Bytes downloads leave free there (min_free_space).");
        all.forEach(d -> labelled(out, "civitai_daemon_min_free_bytes", "path", d.path().toString(),
                d.keepFree()));
    }

    private static void labelled(StringBuilder out, String name, String label, String value,
            long n) {
        out.append(name).append('{').append(label).append("=\"").append(escape(value))
                .append("\"} ").append(n).append('\n');
    }

    private static void help(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void line(StringBuilder out, String name, long value) {
        out.append(name).append(' ').append(value).append('\n');
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static JsonValue number(Double d) {
        return d == null ? Json.NULL : Json.value(d);
    }

    private static JsonObject tallies(Map<String, Tally> tallies) {
        JsonObject o = new JsonObject();
        tallies.forEach((k, t) -> o.add(k,
                new JsonObject().add("count", t.count()).add("bytes", t.bytes())));
        return o;
    }

    private static JsonObject counts(Map<String, Long> counts) {
        JsonObject o = new JsonObject();
        counts.forEach(o::add);
        return o;
    }
}
