package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.EndlessHost;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.WriterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hosts whose bodies do not end as a file does: one that streams forever with {@code Connection:
 * close} and no length (for an entry with sizeKB, one with a hash, one with no size at all), one
 * that gzips a file unasked, one that answers every Range with 4 KiB. Each job must fail with its
 * reason, the daemon must hang up near the size the file may have (not read 1 GiB), and nothing
 * may reach the final folder. A few seconds.
 */
final class EndlessRun {
    private static final int MIB = 1 << 20;
    /** What an endless host would send a reader that never hangs up: far beyond every cut below. */
    private static final long ENDLESS = 1L << 30;
    private static final long MAX_FILE_SIZE = 8L * MIB;

    private EndlessRun() {}

    static void run(Stage stage) throws Exception {
        Path dir = stage.dir;
        byte[] content = Bytes.random(MIB, stage.random.nextLong());
        try (FakeStorage storage = new FakeStorage(); FakeStorage tiny = new FakeStorage();
                FakeCivitai civitai = new FakeCivitai(storage);
                EndlessHost endless = new EndlessHost(Arrays.copyOf(content, 64 * 1024), ENDLESS)) {
            storage.fault("hashed", repeat(new Fault.Endless(ENDLESS), 8));
            storage.fault("gzip", repeat(new Fault.Gzip(), 8));
            // a stall, not a cut: a cut body's last bytes may never reach the daemon (the JDK
            // client drops them on the error), and then the retry starts from byte 0 with no Range
            // at all
            tiny.fault("tiny", new Fault.Stall(100_000));
            tiny.capRanges(4096);
            Map<String, String> expected = new LinkedHashMap<>();  // file name → failure reason
            JsonArray manifest = new JsonArray();
            expected.put("sized.safetensors", "size_mismatch");
            manifest.add(TestDaemon.entry("lora", "sized.safetensors", endless.url("sized"), null)
                    .add("sizeKB", 1024));
            expected.put("unsized.safetensors", "too_large");
            manifest.add(TestDaemon.entry("lora", "unsized.safetensors", endless.url("unsized"),
                    null));
            expected.put("hashed.safetensors", "size_mismatch");
            manifest.add(TestDaemon.entry("lora", "hashed.safetensors",
                    storage.put("hashed", content), Bytes.sha256(content)).add("sizeKB", 1024));
            expected.put("gzip.safetensors", "unrequested_encoding");
            manifest.add(TestDaemon.entry("lora", "gzip.safetensors",
                    storage.put("gzip", new byte[4 * MIB]), null));
            expected.put("tiny.safetensors", "tiny_ranges");
            manifest.add(TestDaemon.entry("lora", "tiny.safetensors", tiny.put("tiny", content),
                    Bytes.sha256(content)));
            Files.writeString(dir.resolve("manifest.json"),
                    manifest.toString(WriterConfig.PRETTY_PRINT));
            Files.writeString(dir.resolve("config.json"),
                    TestDaemon.testConfig(civitai).set("workers", 5)
                            .set("max_file_size", MAX_FILE_SIZE).set("min_free_space", 0)
                    .set("update_interval_hours", 0).toString(WriterConfig.PRETTY_PRINT));
            try (ChildDaemon d = stage.daemon(dir.resolve("config.json"), "daemon.out",
                    List.of())) {
                Api api = new Api(d.awaitPort());
                Db db = new Db(dir.resolve("completed.db"));
                long t0 = System.nanoTime();
                long deadline = t0 + Duration.ofSeconds(60).toNanos();
                while (db.count("SELECT count(*) FROM jobs WHERE state IN"
                        + " ('completed', 'failed')") < expected.size()
                        && System.nanoTime() < deadline) {
                    Nginx.sleep(100);
                }
                stage.info("time until every job ended (ms)", (System.nanoTime() - t0) / 1_000_000);
                judge(stage, dir, db, expected);
                long sent = endless.bytesSent() + storage.bytesSent("hashed");
                stage.check("bytes the endless hosts sent (3 jobs)", sent,
                        "< 64 MiB, not 1 GiB each", sent < 64L * MIB);
                stage.check("/healthz after the endless bodies", api.get("/healthz").status(),
                        "200", api.get("/healthz").status() == 200);
            }
        }
    }

    private static void judge(Stage stage, Path dir, Db db, Map<String, String> expected)
            throws Exception {
        for (var e : expected.entrySet()) {
            var row = db.one("SELECT state, failure_reason, last_error FROM jobs"
                    + " WHERE filename = ?", e.getKey());
            String got = row.get("state") + " / " + row.get("failure_reason");
            stage.check(e.getKey().replace(".safetensors", "") + ": outcome", got,
                    "failed / " + e.getValue(), got.equals("failed / " + e.getValue()));
        }
        Path folder = dir.resolve("models/lora");
        long finals = Disk.files(folder).stream()
                .filter(p -> !p.getFileName().toString().endsWith(".part")).count();
        stage.check("files in the final folder", finals, "0", finals == 0);
        long largest = 0;
        for (Path part : Disk.parts(folder)) {
            largest = Math.max(largest, Files.size(part));
        }
        stage.check("largest part kept (bytes)", largest, "<= max_file_size",
                largest <= MAX_FILE_SIZE);
    }

    private static Fault[] repeat(Fault f, int n) {
        Fault[] out = new Fault[n];
        Arrays.fill(out, f);
        return out;
    }
}
