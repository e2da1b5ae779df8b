package civitai.chaos;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Links planted in a shared download_dir by another user of the folder, as an attacker would: a
 * dangling link as a part, a link to the daemon's own config.json as a part, a link to an outside
 * file as a target, and a sub-folder that is a link out. Nothing outside download_dir may be
 * created or changed, every job ends completed with a regular file or failed/kept with a reason,
 * and the daemon starts again on its (unchanged) config.
 */
final class SymlinkRun {
    private static final int SIZE = 1 << 20;

    private SymlinkRun() {}

    static void run(Stage stage) throws Exception {
        try (FakeStorage storage = new FakeStorage(); FakeCivitai civitai =
                new FakeCivitai(storage)) {
            Path dir = stage.dir.resolve("shared").toAbsolutePath();  // links name absolute paths
            Path lora = Files.createDirectories(dir.resolve("models/lora"));
            Path outside = Files.createDirectories(stage.dir.resolve("outside").toAbsolutePath());
            Path config = dir.resolve("config.json");
            Files.writeString(config, TestDaemon.testConfig(civitai).set("update_interval_hours", 0)
                    .set("connections_per_download", 4).set("min_segment_size", 256 << 10)
                    .set("min_free_space", 0).toString(WriterConfig.PRETTY_PRINT));
            Path theirs = Files.write(outside.resolve("theirs.safetensors"),
                    Bytes.random(SIZE, stage.random.nextLong()));
            Files.createSymbolicLink(lora.resolve("dangling.safetensors.part"),
                    outside.resolve("created.bin"));
            Files.createSymbolicLink(lora.resolve("config.safetensors.part"), config);
            Files.createSymbolicLink(lora.resolve("aimed.safetensors"), theirs);
            Files.createSymbolicLink(lora.resolve("sd15"), outside);
            Files.createSymbolicLink(lora.resolve("gone"), outside.resolve("no-such-folder"));
            Map<String, String> before = hashes(outside, config);

            JsonArray manifest = new JsonArray();
            for (String name : List.of("dangling.safetensors", "config.safetensors",
                    "aimed.safetensors", "sd15/deeper/escaped.safetensors",
                    "gone/nowhere.safetensors", "plain.safetensors")) {
                byte[] content = Bytes.random(SIZE, stage.random.nextLong());
                manifest.add(TestDaemon.entry("lora", name,
                        storage.put(name.replace('/', '_'), content), Bytes.sha256(content)));
            }
            Files.writeString(dir.resolve("manifest.json"), manifest.toString());
            Db db = new Db(dir.resolve("completed.db"));
            try (ChildDaemon d = stage.daemon(config, "symlink.out", List.of())) {
                d.awaitPort();
                DiskRun.await(db, "SELECT count(*) FROM jobs WHERE state IN ('completed',"
                        + " 'failed', 'paused')", 6, 60);
                for (var row : db.query("SELECT filename, state, failure_reason"
                        + " FROM jobs ORDER BY id")) {
                    stage.info("job " + row.get("filename"),
                            row.get("state") + " / " + row.get("failure_reason"));
                }
                d.sigterm();
                d.awaitExit(Duration.ofSeconds(20));
            }
            stage.check("outside download_dir: files created or changed",
                    changed(before, hashes(outside, config)), "none",
                    before.equals(hashes(outside, config)));
            for (String name : List.of("dangling.safetensors", "config.safetensors",
                    "plain.safetensors")) {
                Path target = lora.resolve(name);
                boolean ok = Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
                        && "completed".equals(state(db, name));
                stage.check("planted part: " + name + " completed as a regular file", ok, "true",
                        ok);
            }
            stage.check("link at a target: kept, still a link",
                    Files.isSymbolicLink(lora.resolve("aimed.safetensors")),
                    "true", Files.isSymbolicLink(lora.resolve("aimed.safetensors")));
            for (String name : List.of("sd15/deeper/escaped.safetensors",
                    "gone/nowhere.safetensors")) {
                Object reason = db.one("SELECT failure_reason FROM jobs WHERE filename = ?", name)
                        .get("failure_reason");
                stage.check("sub-folder that is a link out (" + name + "): the job", reason,
                        "unsafe_path", "unsafe_path".equals(reason));
            }
            boolean none = !Files.exists(outside.resolve("no-such-folder"));
            stage.check("dangling sub-folder link: nothing made where it points", none, "true",
                    none);
            try (ChildDaemon again = stage.daemon(config, "symlink-again.out", List.of())) {
                boolean serves = again.awaitPort() > 0;
                stage.check("daemon starts again on its config", serves, "true", serves);
            }
        }
    }

    private static String state(Db db, String filename) {
        return String.valueOf(db.one("SELECT state FROM jobs WHERE filename = ?", filename)
                .get("state"));
    }

    /** Every regular file under {@code outside}, and the config, by path, with its SHA-256. */
    private static Map<String, String> hashes(Path outside, Path config) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(outside)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(p.toString(), Disk.sha256(p));
            }
        }
        out.put(config.toString(), Disk.sha256(config));
        return out;
    }

    private static String changed(Map<String, String> before, Map<String, String> after) {
        if (before.equals(after)) {
            return "none";
        }
        Map<String, String> diff = new TreeMap<>(after);
        before.forEach((k, v) -> diff.remove(k, v));
        return diff.keySet().toString();
    }
}
