package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A full disk (a small tmpfs as download_dir, or {@code ulimit -f} where mounting is not
 * allowed): the job that does not fit fails with disk_full and keeps its part, the others
 * complete, the daemon keeps serving; after space is freed a retry completes. Then a database
 * folder that is read-only, and a database another process holds an exclusive lock on: the
 * daemon must say so clearly, not hang or crash with a stack trace.
 */
final class DiskRun {
    private DiskRun() {}

    static void run(Stage stage) throws Exception {
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            diskFull(stage, storage, civitai);
            readOnlyFolder(stage, civitai);
            lockedDatabase(stage, civitai);
        }
    }

    private static void diskFull(Stage stage, FakeStorage storage, FakeCivitai civitai)
            throws Exception {
        Path dir = stage.dir.resolve("full");
        Path mount = dir.resolve("models");
        Files.createDirectories(mount);
        boolean tmpfs = Mounts.tmpfs(stage, mount, "8m", false);
        stage.info("disk full made with",
                tmpfs ? "tmpfs of 8 MiB" : "ulimit -f 8192 (mount not allowed)");
        byte[] big = Bytes.random(12 << 20, stage.random.nextLong());
        byte[] small = Bytes.random(1 << 20, stage.random.nextLong());
        JsonArray manifest = TestDaemon.manifest(
                TestDaemon.entry("checkpoint", "big.safetensors", storage.put("big", big),
                        Bytes.sha256(big)),
                TestDaemon.entry("lora", "small.safetensors", storage.put("small", small),
                        Bytes.sha256(small)));
        Files.writeString(dir.resolve("manifest.json"), manifest.toString());
        Files.writeString(dir.resolve("config.json"),
                TestDaemon.testConfig(civitai).set("workers", 1)
                .set("connections_per_download", 4).set("min_segment_size", 1 << 20)
                .set("update_interval_hours", 0)
                // The writes themselves meet the full disk here; the gate before a start (2 GiB
                // kept free by default, more than this whole tmpfs) is SpaceTest's subject.
                .set("min_free_space", 0).toString(WriterConfig.PRETTY_PRINT));
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), "full.out",
                tmpfs ? List.of() : List.of("8192"))) {
            Api api = new Api(d.awaitPort());
            await(db, "SELECT count(*) FROM jobs WHERE state IN ('completed', 'failed', 'paused')",
                    2, 90);
            Map<String, Object> row = db.one("SELECT id, state, failure_reason, last_error"
                    + " FROM jobs WHERE filename = 'big.safetensors'");
            stage.check("full disk: the job that does not fit",
                    row.get("state") + " / " + row.get("failure_reason"),
                    "failed or paused / disk_full", "disk_full".equals(row.get("failure_reason")));
            stage.info("full disk: its message", row.get("last_error"));
            var smallRow = db.one("SELECT state, failure_reason FROM jobs"
                    + " WHERE filename = 'small.safetensors'");
            boolean smallOk = "completed".equals(smallRow.get("state"))
                    || "disk_full".equals(smallRow.get("failure_reason"));
            stage.check("full disk: the other job (after the big one's kept part filled the"
                    + " disk, or before)", smallRow.get("state") + " / "
                    + smallRow.get("failure_reason"), "completed, or failed / disk_full", smallOk);
            stage.check("full disk: /healthz", api.get("/healthz").status(), "200",
                    api.get("/healthz").status() == 200);
            String status = api.get("/api/status").body();
            stage.check("full disk: /api/status shows the kept parts",
                    status.replaceAll(".*(\"partial_downloads\":\\{[^}]*\\}).*", "$1"),
                    "jobs >= 1", !status.contains("\"partial_downloads\":{\"jobs\":0"));
            boolean unverified = Files.exists(mount.resolve("checkpoint/big.safetensors"));
            stage.check("full disk: a file at the final path of the failed job", unverified,
                    "false", !unverified);
            if (tmpfs) {
                Mounts.remount(mount, "64m");  // space freed
                for (var failed : db.query("SELECT id FROM jobs WHERE state = 'failed'")) {
                    var retry = api.post("/api/jobs/" + failed.get("id") + "/retry", null);
                    stage.check("after freeing space: retry answer (job " + failed.get("id") + ")",
                            retry.status(), "200/202", retry.status() / 100 == 2);
                }
                await(db, "SELECT count(*) FROM jobs WHERE state = 'completed'", 2, 60);
            }
        }
        if (!tmpfs) {  // the limit goes with the process: start again without it
            try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), "freed.out", List.of())) {
                Api api = new Api(d.awaitPort());
                for (var failed : db.query("SELECT id FROM jobs WHERE state = 'failed'")) {
                    api.post("/api/jobs/" + failed.get("id") + "/retry", null);
                }
                await(db, "SELECT count(*) FROM jobs WHERE state = 'completed'", 2, 60);
            }
        }
        Path done = mount.resolve("checkpoint/big.safetensors");
        Path smallDone = mount.resolve("lora/small.safetensors");
        boolean verified = Files.exists(done) && Disk.sha256(done).equals(Bytes.sha256(big))
                && Files.exists(smallDone) && Disk.sha256(smallDone).equals(Bytes.sha256(small));
        stage.check("after freeing space: both files complete and verify", verified, "true",
                verified);
        Mounts.unmount(stage, mount);
    }

    /** The database's folder is read-only: with no database yet, and with one already there. */
    private static void readOnlyFolder(Stage stage, FakeCivitai civitai) throws Exception {
        Path dir = stage.dir.resolve("readonly");
        Path dbDir = dir.resolve("db");
        Files.createDirectories(dbDir);
        Files.writeString(dir.resolve("manifest.json"), "[]");
        JsonObject config = TestDaemon.testConfig(civitai).set("database", "db/completed.db")
                .set("update_interval_hours", 0);
        Files.writeString(dir.resolve("config.json"), config.toString(WriterConfig.PRETTY_PRINT));
        try (ChildDaemon first = stage.daemon(dir.resolve("config.json"), "create.out",
                List.of())) {
            first.awaitPort();
            first.sigterm();
            first.awaitExit(Duration.ofSeconds(20));
        }
        boolean mounted = Mounts.readOnlyBind(stage, dbDir);
        if (!mounted) {
            stage.info("read-only database folder",
                    "skipped: this machine does not allow a read-only bind mount");
            return;
        }
        try {
            outcome(stage, dir, "read-only folder, existing database", "ro-existing.out");
        } finally {
            Mounts.unmount(stage, dbDir);
        }
        Files.walk(dbDir).sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dbDir))
                .forEach(p -> p.toFile().delete());
        if (Mounts.readOnlyBind(stage, dbDir)) {
            try {
                outcome(stage, dir, "read-only folder, no database yet", "ro-new.out");
            } finally {
                Mounts.unmount(stage, dbDir);
            }
        }
    }

    /**
     * What a start does: exits with a message naming the problem, or serves; never hangs silently.
     */
    private static void outcome(Stage stage, Path dir, String what, String out) {
        try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), out, List.of())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (d.isAlive() && !d.output().contains("listening on")
                    && System.nanoTime() < deadline) {
                Nginx.sleep(100);
            }
            String said = d.output().lines().filter(l -> !l.startsWith("WARNING"))
                    .reduce("", (a, b) -> a + " " + b)
                    .replace(stage.dir.toAbsolutePath().toString(), "<dir>").strip();
            boolean exited = !d.isAlive();
            int code = exited ? d.awaitExit(Duration.ofSeconds(1)) : 0;
            boolean clear = exited && code != 0 && said.length() < 2000 && !said.contains("\tat ")
                    && (said.contains("is read-only") || said.contains("holds a lock"));
            stage.check(what, exited ? "exit " + code : "still running", "exits non-zero, says why",
                    clear);
            stage.info(what + ": message",
                    said.length() > 400 ? said.substring(0, 400) + "…" : said);
        }
    }

    /** Another process holds an exclusive lock on the database (sqlite3 in a transaction). */
    private static void lockedDatabase(Stage stage, FakeCivitai civitai) throws Exception {
        Path dir = stage.dir.resolve("locked");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("manifest.json"), "[]");
        Files.writeString(dir.resolve("config.json"),
                TestDaemon.testConfig(civitai).set("update_interval_hours", 0)
                .toString(WriterConfig.PRETTY_PRINT));
        try (ChildDaemon first = stage.daemon(dir.resolve("config.json"), "create.out",
                List.of())) {
            first.awaitPort();
            first.sigterm();
            first.awaitExit(Duration.ofSeconds(20));
        }
        Process sqlite = new ProcessBuilder("sqlite3", dir.resolve("completed.db").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sqlite3.out").toFile())
                .start();
        stage.track(sqlite.pid(), sqlite::destroyForcibly);
        try (OutputStream in = sqlite.getOutputStream()) {
            in.write(("PRAGMA locking_mode=EXCLUSIVE;\nBEGIN EXCLUSIVE;\n"
                    + "INSERT INTO part_ranges VALUES (999999, 0, 1);\nSELECT 'locked';\n")
                    .getBytes(StandardCharsets.UTF_8));
            in.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.readString(dir.resolve("sqlite3.out")).contains("locked")
                    && System.nanoTime() < deadline) {
                Nginx.sleep(50);
            }
            outcome(stage, dir, "database locked by another process", "locked.out");
        } finally {
            sqlite.destroyForcibly();
        }
    }

    /** Waits until {@code countSql} counts {@code n}, at most {@code seconds}. */
    static void await(Db db, String countSql, long n, int seconds) {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (db.count(countSql) >= n) {
                    return;
                }
            } catch (AssertionError e) {
                // not created yet
            }
            Nginx.sleep(200);
        }
    }

    static void append(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
