package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GET /api/preview serves preview sidecars inside download_dir and nothing else. */
class PreviewTest extends DaemonTest {
    static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2, 3};

    private HttpResponse<byte[]> preview(String rawQueryValue) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/preview?path=" + rawQueryValue)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** download_dir with one model and its preview, and secrets beside and outside it. */
    private void layout() throws Exception {
        start(manifest());
        Path lora = Files.createDirectories(daemon.models().resolve("lora"));
        Files.write(lora.resolve("m.safetensors"), new byte[] {9, 9});
        Files.write(lora.resolve("m.preview.jpeg"), JPEG);
        Files.write(dir.resolve("outside.preview.jpeg"), JPEG);
        Files.writeString(daemon.models().resolve("notes.txt"), "private");
    }

    @Test
    void aPreviewInsideDownloadDir_isServedAsAnImage() throws Exception {
        layout();
        var r = preview("lora/m.preview.jpeg");
        assertEquals(200, r.statusCode());
        assertArrayEquals(JPEG, r.body());
        assertEquals("image/jpeg", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(200, preview("lora%2Fm.preview.jpeg").statusCode(),
                "an encoded slash is the same path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.preview.jpeg", "..%2Foutside.preview.jpeg",
            "%2e%2e%2foutside.preview.jpeg", "lora/../../outside.preview.jpeg",
                    "lora%2F..%2F..%2Foutside.preview.jpeg", "%252e%252e%252foutside.preview.jpeg",
            "lora/m.safetensors", "notes.txt", "lora/missing.preview.jpeg",
            "lora%5C..%5C..%5Coutside.preview.jpeg", "%2Fetc%2Fpasswd",
            "lora/m.preview.jpeg%00.txt", "", "lora", "lora/", "..", "config.json"})
    void anythingElse_is404(String value) throws Exception {
        layout();
        var r = preview(value);
        assertEquals(404, r.statusCode(), value + ": " + new String(r.body()));
        assertTrue(new String(r.body()).contains("\"not_found\""));
    }

    @Test
    void anAbsolutePathToARealPreview_is404() throws Exception {
        layout();
        String absolute = daemon.models().resolve("lora/m.preview.jpeg").toAbsolutePath()
                .toString();
        assertEquals(404, preview(URLEncoder.encode(absolute, "UTF-8")).statusCode());
    }

    @Test
    void aSymlinkLeadingOut_is404_evenNamedLikeAPreview() throws Exception {
        layout();
        Path lora = daemon.models().resolve("lora");
        Files.createSymbolicLink(lora.resolve("out.preview.jpeg"),
                dir.resolve("outside.preview.jpeg"));
        Files.createSymbolicLink(lora.resolve("cfg.preview.png"), dir.resolve("config.json"));
        Files.createSymbolicLink(daemon.models().resolve("up"), dir);
        assertEquals(404, preview("lora/out.preview.jpeg").statusCode());
        assertEquals(404, preview("lora/cfg.preview.png").statusCode());
        assertEquals(404, preview("up/outside.preview.jpeg").statusCode());
        Files.createSymbolicLink(lora.resolve("in.preview.jpeg"), lora.resolve("m.preview.jpeg"));
        assertEquals(200, preview("lora/in.preview.jpeg").statusCode(),
                "a link that stays inside is fine");
    }

    @Test
    void completedJobs_nameTheirPreview() throws Exception {
        byte[] content = Bytes.random(50_000, 7);
        start(manifest());
        long with = json(daemon.post("/api/download",
                entry("lora", "with.safetensors", storage.put("w", content),
                Bytes.sha256(content)).toString())).get("job").asObject().getLong("id", 0);
        byte[] other = Bytes.random(50_000, 8);
        long without = json(daemon.post("/api/download",
                entry("lora", "without.safetensors", storage.put("o", other),
                Bytes.sha256(other)).toString())).get("job").asObject().getLong("id", 0);
        daemon.await(with, "completed");
        daemon.await(without, "completed");
        Files.write(daemon.models().resolve("lora/with.preview.png"), JPEG);

        var jobs = daemon.getJson("/api/completed").get("jobs").asArray();
        for (var v : jobs) {
            JsonObject job = v.asObject();
            if (job.getLong("id", 0) == with) {
                assertEquals("lora/with.preview.png", job.getString("preview", null));
                assertEquals(200, preview("lora/with.preview.png").statusCode());
            } else {
                assertTrue(job.get("preview").isNull(), job.toString());
            }
        }
        assertEquals(2, jobs.size());
    }
}
