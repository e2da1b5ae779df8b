package civitai.daemon.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library's size per model type and the free space where it lies, in /api/status and the
 * metrics.
 */
class DiskUseTest extends LibraryFixture {
    @TempDir Path comfy;

    @Test
    void status_andMetrics_showSizePerType_andEachFileSystemOnce() throws Exception {
        Path a = write(dir.resolve("models/lora/a.safetensors"), Bytes.random(1000, 31));
        Files.createLink(dir.resolve("models/lora/a-link.safetensors"), a);
        write(dir.resolve("models/checkpoint/b.safetensors"), Bytes.random(2000, 32));
        write(comfy.resolve("loras/c.safetensors"), Bytes.random(500, 33));
        start(config("min_free_space", 12345)
                .add("library_roots", new JsonArray().add(comfy.toString())), new JsonArray());
        settled();

        JsonObject status = daemon.getJson("/api/status");
        JsonObject types = status.get("library").asObject().get("per_model_type").asObject();
        assertEquals(new JsonObject().add("files", 3).add("bytes", 1500), types.get("lora"),
                "a link's bytes once");
        assertEquals(new JsonObject().add("files", 1).add("bytes", 2000), types.get("checkpoint"));
        assertEquals(4, status.get("library").asObject().getLong("files", 0));
        JsonArray disks = status.get("disk_space").asArray();
        assertEquals(1, disks.size(), "download_dir and the root share one file system: " + disks);
        JsonObject disk = disks.get(0).asObject();
        String downloadDir = daemon.getJson("/api/library").get("roots").asArray().get(0).asObject()
                .getString("path", null);
        assertEquals(downloadDir, disk.getString("path", null),
                "named by download_dir, the first folder on it");
        assertTrue(disk.getLong("free_bytes", -1) > 0
                && disk.getLong("free_bytes", -1) <= disk.getLong("total_bytes", 0),
                disk.toString());
        assertEquals(12345, disk.getLong("min_free_space", 0));

        String metrics = daemon.get("/metrics").body();
        assertTrue(metrics.contains("civitai_daemon_library_type_files{model_type=\"lora\"} 3\n"),
                metrics);
        assertTrue(metrics.contains(
                "civitai_daemon_library_type_bytes{model_type=\"lora\"} 1500\n"), metrics);
        assertTrue(metrics.contains(
                "civitai_daemon_library_type_bytes{model_type=\"checkpoint\"} 2000\n"), metrics);
        assertTrue(metrics.contains("civitai_daemon_min_free_bytes{path=\"" + downloadDir
                + "\"} 12345\n"), metrics);
        assertTrue(gauge(metrics, "civitai_daemon_free_bytes{path=\"" + downloadDir + "\"}") > 0,
                metrics);
        assertEquals(disk.getLong("total_bytes", 0),
                gauge(metrics, "civitai_daemon_size_bytes{path=\"" + downloadDir + "\"}"));
        assertTrue(gauge(metrics, "civitai_daemon_library_hashed_bytes_total") >= 3500,
                "every file was hashed once");
        assertEquals(0, gauge(metrics, "civitai_daemon_library_hash_bytes_per_second"),
                "no scan runs");
        JsonObject json = daemon.getJson("/api/metrics");
        assertEquals(types, json.get("library").asObject().get("per_model_type"));
        assertEquals(1, json.get("disk_space").asArray().size());
    }

    @Test
    void theHashedBytesCounter_growsByWhatAScanHashes() throws Exception {
        start(new JsonArray());
        settled();
        long before = gauge(daemon.get("/metrics").body(),
                "civitai_daemon_library_hashed_bytes_total");
        write(dir.resolve("models/vae/new.safetensors"), Bytes.random(4096, 34));
        scan();
        assertEquals(before + 4096, gauge(daemon.get("/metrics").body(),
                "civitai_daemon_library_hashed_bytes_total"));
    }

    private static long gauge(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\d+)$").matcher(metrics);
        assertTrue(m.find(), series + " in " + metrics);
        return Long.parseLong(m.group(1));
    }
}
