package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.WriterConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each fault a real host or user inflicts, on a job of its own, with four connections per
 * download: every job must end completed (its file verified) or failed with a precise reason,
 * and the final folder must never hold a file that does not verify. Then a webhook receiver that
 * is down, Civitai down during an update check, and manifest.json edited by hand while the
 * daemon writes it.
 */
final class FaultRun {
    private static final int SIZE = 3 << 20;

    private FaultRun() {}

    /**
     * The faults by job name; a name starting "seg-" gets them on a segment, not the first request.
     */
    private static Map<String, Fault[]> storageFaults() {
        Map<String, Fault[]> f = new LinkedHashMap<>();
        f.put("dropped", new Fault[] {new Fault.Drop(200_000), new Fault.Drop(50_000)});
        f.put("stall", new Fault[] {new Fault.Stall(200_000)});
        f.put("http-503", new Fault[] {status(503, "text/plain", "busy"),
                status(502, "text/html", "<html>bad gateway</html>")});
        f.put("http-500-always", repeat(status(500, "text/plain", "internal"), 40));
        f.put("429-retry-after", new Fault[] {new Fault.Status(429, "text/plain", "slow down",
                Map.of("Retry-After", "1"))});
        f.put("429-bare", new Fault[] {status(429, "text/plain", "slow down")});
        f.put("wrong-bytes", new Fault[] {new Fault.WrongBytes()});
        f.put("wrong-bytes-always", repeat(new Fault.WrongBytes(), 40));
        f.put("html-login", repeat(status(200, "text/html",
                "<!DOCTYPE html><html><title>Sign in</title></html>"), 40));
        f.put("json-error", repeat(status(401, "application/json", "{\"error\":\"Unauthorized\"}"),
                40));
        f.put("seg-range-200", new Fault[] {new Fault.IgnoreRange()});
        f.put("seg-etag-change", new Fault[] {new Fault.NewEtag()});
        f.put("seg-lying-range", new Fault[] {new Fault.WrongRange(4096)});
        f.put("seg-dropped", new Fault[] {new Fault.Drop(10_000), new Fault.Stall(10_000)});
        return f;
    }

    private static Fault.Status status(int code, String type, String body) {
        return new Fault.Status(code, type, body);
    }

    private static Fault[] repeat(Fault f, int n) {
        Fault[] out = new Fault[n];
        Arrays.fill(out, f);
        return out;
    }

    static void run(Stage stage) throws Exception {
        Path dir = stage.dir;
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            storage.pace(1_500_000);
            Map<String, String> expected = new LinkedHashMap<>();
            JsonArray manifest = new JsonArray();
            for (var e : storageFaults().entrySet()) {
                byte[] content = Bytes.random(SIZE, stage.random.nextLong());
                String name = e.getKey() + ".safetensors";
                URI url = storage.put(e.getKey(), content);
                if (e.getKey().startsWith("seg-")) {
                    storage.faultSegments(e.getKey(), e.getValue());
                } else {
                    storage.fault(e.getKey(), e.getValue());
                }
                expected.put(name, Bytes.sha256(content));
                manifest.add(TestDaemon.entry("checkpoint", name, url, Bytes.sha256(content)));
            }
            byte[] signed = Bytes.random(SIZE, stage.random.nextLong());
            var version = civitai.addVersion(777_001, "expired-url.safetensors", signed);
            civitai.signedUrlSeconds(1);
            storage.fault(civitai.objectName(version), new Fault.Drop(300_000));
            expected.put("expired-url.safetensors", Bytes.sha256(signed));
            manifest.add(TestDaemon.entry("checkpoint", "expired-url.safetensors",
                    civitai.downloadUrl(777_001), Bytes.sha256(signed)).add("modelId", 11821));
            Files.writeString(dir.resolve("manifest.json"),
                    manifest.toString(WriterConfig.PRETTY_PRINT));
            int deadPort = Nginx.freePort();  // nothing listens there: the webhook receiver is down
            Files.writeString(dir.resolve("config.json"), TestDaemon.testConfig(civitai)
                    .set("workers", 6).set("retries", 4).set("stall_timeout", 2)
                    .set("retry_base_delay", 0.2).set("retry_max_delay", 2)
                    .set("connections_per_download", 4).set("min_segment_size", 256 * 1024)
                    .set("max_connections_per_host", 64).set("update_interval_hours", 0)
                    .set("webhook_url", "http://127.0.0.1:" + deadPort + "/hook")
                    .set("webhook_retry_delay", 1).toString(WriterConfig.PRETTY_PRINT));
            try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), "daemon.out",
                    List.of())) {
                Api api = new Api(d.awaitPort());
                Db db = new Db(dir.resolve("completed.db"));
                long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                while (db.count("SELECT count(*) FROM jobs WHERE state IN"
                        + " ('completed', 'failed')") < expected.size()
                        && System.nanoTime() < deadline) {
                    Nginx.sleep(200);
                }
                judgeJobs(stage, dir, db, expected);
                civitaiDown(stage, api, civitai);
                handEdits(stage, dir, api, storage, db);
                stage.check("daemon alive after the faults", d.isAlive(), "true", d.isAlive());
                stage.check("/healthz after the faults", api.get("/healthz").status(), "200",
                        api.get("/healthz").status() == 200);
                var hooks = db.query("SELECT state, count(*) AS n FROM webhook_deliveries"
                        + " GROUP BY state");
                stage.info("webhook deliveries to a receiver that is down, by state", hooks);
            }
        }
    }

    private static void judgeJobs(Stage stage, Path dir, Db db, Map<String, String> expected)
            throws Exception {
        List<String> outcomes = new ArrayList<>();
        int vague = 0;
        int unverified = 0;
        for (var row : db.query("SELECT filename, state, failure_reason, last_error"
                + " FROM jobs ORDER BY id")) {
            String name = (String) row.get("filename");
            Path target = dir.resolve("models/checkpoint").resolve(name);
            if (Files.exists(target) && !Disk.sha256(target).equals(expected.get(name))) {
                unverified++;
            }
            String reason = (String) row.get("failure_reason");
            if ("failed".equals(row.get("state")) && (reason == null || reason.equals("unknown")
                    || row.get("last_error") == null)) {
                vague++;
            }
            if (!"completed".equals(row.get("state")) && !"failed".equals(row.get("state"))) {
                vague++;
            }
            outcomes.add(name.replace(".safetensors", "") + " → " + row.get("state")
                    + (reason == null ? "" : " (" + reason + ": "
                            + excerpt((String) row.get("last_error")) + ")"));
        }
        outcomes.forEach(o -> stage.info("outcome", o));
        stage.check("jobs ended without a precise reason (or not ended)", vague, "0", vague == 0);
        stage.check("unverified files in the final folder", unverified, "0", unverified == 0);
        long parts = Disk.parts(dir.resolve("models")).size();
        stage.info("parts kept (for failed jobs' resume)", parts);
    }

    private static String excerpt(String s) {
        return s == null ? "null" : s.length() > 90 ? s.substring(0, 90) + "…" : s;
    }

    /** Civitai's API answers 503 to everything the update checker asks. */
    private static void civitaiDown(Stage stage, Api api, FakeCivitai civitai) {
        Fault.Status down = new Fault.Status(503, "text/html", "<html>Service Unavailable</html>");
        for (String path : List.of("/api/v1/models", "/api/v1/models/11821",
                "/api/v1/model-versions/777001")) {
            Fault.Status[] many = new Fault.Status[30];
            Arrays.fill(many, down);
            civitai.failApi(path, many);
        }
        var started = api.post("/api/updates/check", null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = api.get("/api/updates").body();
            if (!last.contains("\"running\":true")) {
                break;
            }
            Nginx.sleep(200);
        }
        stage.check("update check with Civitai down: start answer", started.status(), "202 or 200",
                started.status() == 202 || started.status() == 200);
        boolean said = last.contains("503");
        int at = Math.max(0, last.indexOf("503") - 60);
        stage.check("update check with Civitai down says why", excerpt(last.substring(at)),
                "names the 503", said);
    }

    /**
     * Adds jobs through the API (each rewrites manifest.json) while a person rewrites the file
     * by hand: the file must always parse, the daemon must keep answering, and every job added
     * must be in the database.
     */
    private static void handEdits(Stage stage, Path dir, Api api, FakeStorage storage, Db db)
            throws Exception {
        Path manifest = dir.resolve("manifest.json");
        byte[] small = Bytes.random(10_000, 5);
        URI url = storage.put("hand", small);
        int fiveHundreds = 0;
        int torn = 0;
        int added = 0;
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 40; i++) {
            Thread editor = Thread.ofVirtual().start(() -> {
                try {
                    JsonArray a = Json.parse(Files.readString(manifest)).asArray();
                    a.add(TestDaemon.entry("lora", "by-hand-" + System.nanoTime() + ".safetensors",
                            url, Bytes.sha256(small)));
                    // in place, as an editor may
                    Files.writeString(manifest, a.toString(WriterConfig.PRETTY_PRINT));
                } catch (Exception e) {
                    // the daemon replaced the file under us: a person would retry
                }
            });
            var r = api.post("/api/download",
                    TestDaemon.entry("lora", "api-" + i + ".safetensors", url,
                    Bytes.sha256(small)).toString());
            editor.join(5000);
            fiveHundreds += r.status() >= 500 ? 1 : 0;
            added += r.status() == 202 ? 1 : 0;
            statuses.merge(r.status(), 1, Integer::sum);
            try {
                Json.parse(Files.readString(manifest)).asArray();
            } catch (RuntimeException e) {
                torn++;
            }
        }
        long inDb = db.count("SELECT count(*) FROM jobs WHERE filename LIKE 'api-%'");
        stage.check("hand edits: API adds answered 5xx", fiveHundreds, "0", fiveHundreds == 0);
        stage.check("hand edits: manifest.json seen unparseable", torn, "0 (atomic writes)",
                torn == 0);
        stage.check("hand edits: API adds in the database", inDb + " of " + added, "all",
                inDb == added);
        long kept = Json.parse(Files.readString(manifest)).asArray().values().stream()
                .filter(v -> v.asObject().getString("filename", "").startsWith("by-hand-")).count();
        stage.info("hand edits: hand-added entries still in manifest.json (of 40)", kept);
        stage.info("hand edits: API answers by status", statuses);
        long apiKept = Json.parse(Files.readString(manifest)).asArray().values().stream()
                .filter(v -> v.asObject().getString("filename", "").startsWith("api-")).count();
        stage.info("hand edits: API-added entries still in manifest.json (of " + added + ")",
                apiKept);
    }
}
