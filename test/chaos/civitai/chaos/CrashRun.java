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
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * kill -9 at random moments across 10 concurrent downloads (14 jobs, 10 workers): from the fake
 * storage host, from nginx, and through the fake Civitai's signed-URL redirect; each life of the
 * daemon picks one connection or four, so a part journalled by segments may be resumed by one
 * stream and back. A third of the kills wait for the finish window (a final file appearing or a
 * part at full size: verify, fsync, rename, the database's commit) and strike there. Rounds of
 * fresh files repeat until the mode's kill count is reached.
 */
final class CrashRun {
    private static final int JOBS = 14;
    private static final int WORKERS = 10;
    private static final long PACE = 700_000;

    /** One job of a round: where it comes from and what it must end as. */
    private record Planned(String filename, String sha256, long size, String source,
            String object) {}

    private final Stage stage;
    private int kills;
    private int finishWindowKills;
    private int segmentedLives;
    private int singleLives;
    private long totalBytes;
    private long sentBytes;
    private int rounds;
    private boolean lastSegmented;
    private final List<String> problems = new ArrayList<>();

    private CrashRun(Stage stage) {
        this.stage = stage;
    }

    static void run(Stage stage) throws Exception {
        CrashRun c = new CrashRun(stage);
        while (c.kills < stage.mode.kills() && !stage.overTime() && c.rounds < 20) {
            c.round();
        }
        c.report();
    }

    private void round() throws Exception {
        Path dir = stage.dir.resolve("round-" + (++rounds));
        Files.createDirectories(dir.resolve("www"));
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage);
                Nginx nginx = Nginx.start(stage, dir.resolve("www"), PACE / 1000 + "k")) {
            storage.pace(PACE);
            List<Planned> jobs = plan(dir, storage, civitai, nginx);
            JsonArray manifest = new JsonArray();
            for (Planned p : jobs) {
                manifest.add(TestDaemon.entry("checkpoint", p.filename(), URI.create(p.source()),
                        p.sha256()));
            }
            Files.writeString(dir.resolve("manifest.json"),
                    manifest.toString(WriterConfig.PRETTY_PRINT));
            Db db = new Db(dir.resolve("completed.db"));
            int life = 0;
            Path dbFile = dir.resolve("completed.db");
            while (kills < stage.mode.kills() && !stage.overTime() && !allEnded(dbFile, db)
                    && life < 60) {
                writeConfig(dir, civitai);
                String out = "life-" + rounds + "-" + (++life) + (lastSegmented ? "-4" : "-1")
                        + ".out";
                try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), out, List.of())) {
                    d.awaitPort();
                    killSoon(d, dir, jobs, db);
                }
            }
            writeConfig(dir, civitai);
            try (ChildDaemon last = stage.daemon(dir.resolve("config.json"),
                    "final-" + rounds + ".out", List.of())) {
                last.awaitPort();
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (!allEnded(dbFile, db) && System.nanoTime() < deadline) {
                    Nginx.sleep(100);
                }
                last.sigterm();
                last.awaitExit(Duration.ofSeconds(20));
            }
            verify(dir, db, jobs, storage, nginx);
        }
    }

    private List<Planned> plan(Path dir, FakeStorage storage, FakeCivitai civitai, Nginx nginx)
            throws Exception {
        List<Planned> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            int size = (1 << 20) + stage.random.nextInt(stage.mode.crashFileMiB() << 20);
            byte[] content = Bytes.random(size, stage.random.nextLong());
            String name = "r" + rounds + "-j" + String.format("%02d", i) + ".safetensors";
            String sha = Bytes.sha256(content);
            totalBytes += size;
            switch (i % 3) {
                case 0 -> {
                    Files.write(dir.resolve("www").resolve(name), content);
                    jobs.add(new Planned(name, sha, size, nginx.url(name).toString(), "/" + name));
                }
                case 1 -> jobs.add(new Planned(name, sha, size,
                        storage.put(name, content).toString(), name));
                default -> {
                    var f = civitai.addVersion(900_000 + rounds * 100 + i, name, content);
                    jobs.add(new Planned(name, sha, size,
                            civitai.downloadUrl(f.versionId()).toString(), civitai.objectName(f)));
                }
            }
        }
        return jobs;
    }

    private void writeConfig(Path dir, FakeCivitai civitai) throws Exception {
        // 1 or 4 for every life, to narrow a finding down
        String forced = System.getenv("CHAOS_CONNECTIONS");
        boolean segmented = forced == null ? stage.random.nextBoolean() : forced.equals("4");
        lastSegmented = segmented;
        if (segmented) {
            segmentedLives++;
        } else {
            singleLives++;
        }
        JsonObject c = TestDaemon.testConfig(civitai)
                .set("workers", WORKERS).set("retries", 20).set("stall_timeout", 10)
                .set("retry_base_delay", 0.2).set("retry_max_delay", 1)
                .set("connections_per_download", segmented ? 4 : 1)
                .set("min_segment_size", 1 << 20).set("max_connections_per_host", 64)
                .set("update_interval_hours", 0);
        Files.writeString(dir.resolve("config.json"), c.toString(WriterConfig.PRETTY_PRINT));
    }

    /**
     * Kills after a random moment, or in a finish window when this kill is one of the targeted
     * third.
     */
    private void killSoon(ChildDaemon d, Path dir, List<Planned> jobs, Db db) throws Exception {
        boolean targeted = stage.random.nextInt(3) == 0;
        long waitMs = 1500 + stage.random.nextInt(4500);
        long end = System.nanoTime() + (targeted ? Duration.ofSeconds(8)
                : Duration.ofMillis(waitMs)).toNanos();
        Path models = dir.resolve("models/checkpoint");
        int finalsAtStart = finals(models, jobs);
        boolean inWindow = false;
        while (System.nanoTime() < end) {
            if (targeted && (finals(models, jobs) > finalsAtStart || fullPart(models, jobs))) {
                inWindow = true;
                break;
            }
            Nginx.sleep(targeted ? 1 : 20);
        }
        d.kill9();
        kills++;
        if (inWindow) {
            finishWindowKills++;
        }
    }

    private static int finals(Path models, List<Planned> jobs) {
        int n = 0;
        for (Planned p : jobs) {
            n += Files.exists(models.resolve(p.filename())) ? 1 : 0;
        }
        return n;
    }

    private static boolean fullPart(Path models, List<Planned> jobs) {
        for (Planned p : jobs) {
            Path part = models.resolve(p.filename() + ".part");
            if (part.toFile().length() == p.size()) {
                return true;
            }
        }
        return false;
    }

    private static boolean allEnded(Path file, Db db) {
        if (!Files.exists(file)) {
            return false;
        }
        try {
            return db.count("SELECT count(*) FROM jobs WHERE state NOT IN"
                    + " ('completed', 'failed')") == 0
                    && db.count("SELECT count(*) FROM jobs") == JOBS;
        } catch (AssertionError e) {
            return false;  // the database is not there yet, or mid-creation
        }
    }

    private void verify(Path dir, Db db, List<Planned> jobs, FakeStorage storage, Nginx nginx)
            throws Exception {
        Path models = dir.resolve("models/checkpoint");
        List<Map<String, Object>> rows = db.query("SELECT * FROM jobs ORDER BY id");
        if (rows.size() != JOBS) {
            problems.add("round " + rounds + ": " + rows.size() + " job rows for " + JOBS
                    + " entries");
        }
        for (int i = 0; i < jobs.size(); i++) {
            Planned p = jobs.get(i);
            var mine = rows.stream().filter(r -> p.filename().equals(r.get("filename"))).toList();
            if (mine.size() != 1) {
                problems.add(p.filename() + ": " + mine.size() + " jobs");
                continue;
            }
            var row = mine.get(0);
            if (!"completed".equals(row.get("state"))) {
                problems.add(p.filename() + " ended " + row.get("state") + ": "
                        + row.get("failure_reason") + " " + row.get("last_error"));
            }
            Path target = models.resolve(p.filename());
            if (Files.exists(target) && !Disk.sha256(target).equals(p.sha256())) {
                problems.add(p.filename() + ": the final file does not verify");
            } else if (!Files.exists(target) && "completed".equals(row.get("state"))) {
                problems.add(p.filename() + ": completed without its file");
            }
            sentBytes += p.object().startsWith("/") ? nginx.bytesSent(p.object())
                    : storage.bytesSent(p.object());
        }
        orderKept(db);
        for (Path part : Disk.parts(dir.resolve("models"))) {
            problems.add("a part left over: " + part);
        }
        long journal = db.count("SELECT count(*) FROM part_ranges r JOIN jobs j ON j.id = r.job_id"
                + " WHERE j.state = 'completed'");
        if (journal > 0) {
            problems.add(journal + " journal rows left for completed jobs");
        }
        String integrity = (String) db.one("PRAGMA integrity_check").values().iterator().next();
        if (!"ok".equals(integrity)) {
            problems.add("integrity_check: " + integrity);
        }
        for (Path f : Disk.files(dir.resolve("models"))) {
            String n = f.getFileName().toString();
            if (jobs.stream().noneMatch(p -> p.filename().equals(n))) {
                problems.add("an unexpected file in the models folder: " + f);
            }
        }
    }

    /**
     * Jobs of one priority first start in the order they were queued. Jobs dispatched together
     * (to idle workers at once) race to their first attempt row, so a second of slack is allowed.
     */
    private void orderKept(Db db) {
        var first = db.query("SELECT j.id, a.started_at FROM jobs j JOIN attempts a"
                + " ON a.job_id = j.id AND a.number = (SELECT min(number) FROM attempts"
                + " WHERE job_id = j.id) ORDER BY j.id");
        Instant previous = Instant.MIN;
        for (var r : first) {
            Instant at = Instant.parse((String) r.get("started_at"));
            if (at.plusSeconds(1).isBefore(previous)) {
                problems.add("round " + rounds + ": job " + r.get("id") + " first started at " + at
                        + ", before an earlier-queued job (" + previous + ")");
            }
            previous = at.isAfter(previous) ? at : previous;
        }
    }

    private void report() {
        stage.info("rounds (fresh set of 14 jobs, 10 workers each)", rounds);
        stage.check("kill -9", kills, ">= " + stage.mode.kills(), kills >= stage.mode.kills());
        stage.info("kills in a finish window (full part or new final file)", finishWindowKills);
        stage.info("daemon lives with 4 connections / 1 connection",
                segmentedLives + " / " + singleLives);
        stage.info("bytes of the files", totalBytes);
        double pct = totalBytes == 0 ? 0 : 100.0 * (sentBytes - totalBytes) / totalBytes;
        stage.goal("re-downloaded bytes (sent by the hosts - file sizes)",
                String.format("%d (%.2f %%)", sentBytes - totalBytes, pct), "<= 5 %", pct <= 5.0);
        stage.check("problems (lost/duplicated jobs, bad files, parts, journal, order)",
                problems.size(), "0", problems.isEmpty());
        problems.stream().limit(20).forEach(p -> stage.report.fail(stage.name, p));
    }
}
