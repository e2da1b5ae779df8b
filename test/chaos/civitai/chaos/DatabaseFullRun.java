package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The installed layout on a full disk: config, manifest, completed.db, logs and models in one
 * small tmpfs, and a download that fills it. The job's failure cannot be written, yet the API
 * shows it failed (disk_full) meanwhile; no stack trace in the output or error.log; once space is
 * freed the outcome is in the database and a retry completes. Skipped where mount is not allowed.
 */
final class DatabaseFullRun {
    private DatabaseFullRun() {}

    static void run(Stage stage) throws Exception {
        Path data = stage.dir.resolve("data");
        Files.createDirectories(data);
        if (!Mounts.tmpfs(stage, data, "16m", false)) {
            stage.info("database on a full disk",
                    "skipped: this machine does not allow a tmpfs mount");
            return;
        }
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            byte[] big = Bytes.random(24 << 20, stage.random.nextLong());
            Files.writeString(data.resolve("manifest.json"),
                    TestDaemon.manifest(TestDaemon.entry("checkpoint",
                    "big.safetensors", storage.put("big", big), Bytes.sha256(big))).toString());
            Files.writeString(data.resolve("config.json"),
                    TestDaemon.testConfig(civitai).set("workers", 1)
                            .set("connections_per_download", 4).set("min_segment_size", 1 << 20)
                    .set("update_interval_hours", 0).set("min_free_space", 0)
                    .toString(WriterConfig.PRETTY_PRINT));
            try (ChildDaemon d = stage.daemon(data.resolve("config.json"), "dbfull.out",
                    List.of())) {
                fillAndFree(stage, d, new Api(d.awaitPort()), new Db(data.resolve("completed.db")),
                        data);
            }
            Path done = data.resolve("models/checkpoint/big.safetensors");
            boolean verified = Files.exists(done) && Disk.sha256(done).equals(Bytes.sha256(big));
            stage.check("database full: the retried file verifies", verified, "true", verified);
        } finally {
            Mounts.unmount(stage, data);
        }
    }

    private static void fillAndFree(Stage stage, ChildDaemon d, Api api, Db db, Path data)
            throws Exception {
        boolean failed = await(60, () -> "failed".equals(job(api).getString("state", "")));
        JsonObject shown = job(api);
        long id = shown.getLong("id", 0);
        stage.check("database full: /api/jobs shows the job", shown.getString("state", "") + " / "
                + shown.getString("failure_reason", ""), "failed / disk_full",
                failed && "disk_full".equals(shown.getString("failure_reason", "")));
        stage.info("database full: its row meanwhile (the write is held)",
                row(db, id).get("state"));
        stage.info("database full: its message", shown.getString("last_error", ""));
        noTraces(stage, "while full", d, data);

        Mounts.remount(data, "64m");  // space freed
        boolean recorded = await(30, () -> "disk_full".equals(row(db, id).get("failure_reason")));
        stage.check("after freeing space: the held outcome is in the database",
                row(db, id).get("state") + " / " + row(db, id).get("failure_reason"),
                "failed / disk_full", recorded);
        int retry = api.post("/api/jobs/" + id + "/retry", null).status();
        stage.check("after freeing space: retry answer", retry, "200", retry == 200);
        boolean completed = await(60, () -> "completed".equals(row(db, id).get("state")));
        stage.check("after freeing space: the retry completes", row(db, id).get("state"),
                "completed", completed);
        noTraces(stage, "after", d, data);
    }

    private static void noTraces(Stage stage, String when, ChildDaemon d, Path data)
            throws Exception {
        Path errors = data.resolve("logs/error.log");
        String logged = d.output() + (Files.exists(errors) ? Files.readString(errors) : "");
        long traces = logged.lines().filter(l -> l.startsWith("\tat ")).count();
        stage.check("database full: stack trace lines in the output and error.log (" + when + ")",
                traces, "0", traces == 0);
    }

    /** The one job as the API shows it (an empty object until it is listed). */
    private static JsonObject job(Api api) {
        Api.Answer a = api.get("/api/jobs");
        if (a.status() != 200) {
            return new JsonObject();
        }
        var jobs = Json.parse(a.body()).asObject().get("jobs").asArray();
        return jobs.isEmpty() ? new JsonObject() : jobs.get(0).asObject();
    }

    private static Map<String, Object> row(Db db, long id) {
        return db.one("SELECT state, failure_reason FROM jobs WHERE id = ?", id);
    }

    private static boolean await(int seconds, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Nginx.sleep(200);
        }
        return condition.getAsBoolean();
    }
}
