package civitai.daemon.library;

import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Duplicates by SHA-256, hard links as one file, and dedupe that never touches a read-only root.
 */
class DuplicatesTest extends LibraryFixture {
    @TempDir Path comfy;

    @Test
    void hardLinks_areOneFile_copiesAreDuplicates() throws Exception {
        byte[] content = Bytes.random(64_000, 21);
        Path a = write(dir.resolve("models/lora/a.safetensors"), content);
        Files.createLink(dir.resolve("models/lora/a-link.safetensors"), a);
        start(new JsonArray());
        settled();
        assertEquals(0, groups().size(), "two names of one inode are one file");

        write(dir.resolve("models/checkpoint/a-copy.safetensors"), content);
        scan();
        JsonArray groups = groups();
        assertEquals(1, groups.size(), groups.toString());
        JsonObject g = groups.get(0).asObject();
        assertEquals(2, g.getInt("copies", 0));
        assertEquals(3, g.get("files").asArray().size());
        assertEquals(content.length, g.getLong("wasted_bytes", 0), "one copy too many");
        assertEquals(3, files("&duplicates=true").size());
        String metrics = daemon.get("/metrics").body();
        assertTrue(metrics.contains("civitai_daemon_library_files 3\n"), metrics);
        assertTrue(metrics.contains("civitai_daemon_library_bytes " + 2 * content.length + "\n"),
                metrics);
        assertTrue(metrics.contains("civitai_daemon_library_wasted_bytes " + content.length + "\n"),
                metrics);
    }

    @Test
    void dedupe_linksCopiesInDownloadDir_andNeverTouchesAReadOnlyRoot() throws Exception {
        byte[] content = Bytes.random(80_000, 22);
        Path mine = write(dir.resolve("models/lora/mine.safetensors"), content);
        Path theirs = write(comfy.resolve("loras/theirs.safetensors"), content);
        Map<String, String> before = snapshot(comfy);
        start(config().add("library_roots", new JsonArray().add(comfy.toString())),
                new JsonArray());
        settled();
        String sha = Bytes.sha256(content);
        assertEquals("lora", named(files(""), "theirs.safetensors").getString("model_type", null),
                "ComfyUI's folder names say the type");
        assertTrue(named(files(""), "theirs.safetensors").getBoolean("read_only", false));

        JsonObject keepMine = dedupe(sha, mine);
        assertEquals("skipped", action(keepMine, theirs), keepMine.toString());
        assertEquals(0, keepMine.getLong("freed_bytes", -1));
        assertEquals(before, snapshot(comfy), "the read-only root is as it was");

        JsonObject keepTheirs = dedupe(sha, theirs);
        assertEquals("linked", action(keepTheirs, mine), keepTheirs.toString());
        assertEquals(key(theirs), key(mine), "download_dir's copy is now a link to the kept file");
        assertEquals(sha, Bytes.sha256(Files.readAllBytes(mine)));
        assertEquals(0, groups().size(), "linked: no longer a duplicate");
        scan();
        assertEquals(before.keySet(), snapshot(comfy).keySet(),
                "no file was added to the read-only root");
    }

    @Test
    void dedupe_refusesAKeptCopyThatChanged_andBadRequests() throws Exception {
        byte[] content = Bytes.random(30_000, 23);
        Path a = write(dir.resolve("models/lora/a.safetensors"), content);
        write(dir.resolve("models/lora/b.safetensors"), content);
        start(new JsonArray());
        settled();
        Files.write(a, new byte[] {9}, StandardOpenOption.APPEND);
        var changed = daemon.post("/api/library/dedupe", body(Bytes.sha256(content), a));
        assertEquals(409, changed.statusCode(), changed.body());
        assertEquals(400, daemon.post("/api/library/dedupe", "{\"sha256\": \"xyz\"}").statusCode());
        assertEquals(400, daemon.get("/api/library?sort=colour").statusCode());
        assertEquals(400, daemon.get("/api/library?identified=maybe").statusCode());
        assertEquals(400, daemon.post("/api/library/scan", "{\"root\": \"/not/a/root\"}")
                .statusCode());
        assertEquals(404, daemon.get("/api/library/999999").statusCode());
    }

    private JsonArray groups() {
        return json(daemon.get("/api/library/duplicates")).get("groups").asArray();
    }

    private JsonObject dedupe(String sha, Path keep) {
        var r = daemon.post("/api/library/dedupe", body(sha, keep));
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static String body(String sha, Path keep) {
        return new JsonObject().add("sha256", sha).add("keep", keep.toAbsolutePath().toString())
                .toString();
    }

    private static String action(JsonObject result, Path path) {
        for (JsonValue v : result.get("actions").asArray()) {
            if (v.asObject().getString("path", "").equals(path.toAbsolutePath().toString())) {
                return v.asObject().getString("action", null);
            }
        }
        throw new AssertionError("no action for " + path + " in " + result);
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    /** Every path under a folder with its size, mtime, inode and content hash. */
    private static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.put(root.relativize(p).toString(),
                        a.size() + " " + a.lastModifiedTime() + " " + a.fileKey()
                        + (a.isRegularFile() ? " " + Bytes.sha256(Files.readAllBytes(p)) : ""));
            }
        }
        return out;
    }
}
