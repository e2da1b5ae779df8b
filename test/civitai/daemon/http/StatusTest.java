package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.Version;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code /healthz} and {@code /api/status} against the real daemon. */
class StatusTest extends DaemonTest {

    @Test
    void status_showsEachActiveDownloadWithProgressSpeedAndEta() {
        byte[] content = Bytes.random(2_000_000, 21);
        storage.pace(500_000);
        start(manifest(entry("lora", "live.safetensors", storage.put("live", content),
                Bytes.sha256(content))));

        JsonObject[] seen = new JsonObject[1];
        Poll.until(() -> {
            JsonObject status = daemon.getJson("/api/status");
            var active = status.get("active").asArray();
            if (active.isEmpty()) {
                return false;
            }
            JsonObject a = active.get(0).asObject();
            seen[0] = status;
            return a.getLong("bytes", 0) > 0 && a.getLong("bytes_per_second", 0) > 0
                    && !a.get("eta_seconds").isNull();
        }, () -> "an active download with speed and ETA");

        JsonObject status = seen[0];
        JsonObject a = status.get("active").asArray().get(0).asObject();
        assertEquals("live.safetensors", a.getString("filename", null));
        assertEquals(2_000_000, a.getLong("total", 0));
        assertEquals(1, status.get("jobs").asObject().getInt("downloading", 0));
        assertEquals(Version.current(), status.getString("version", null));
        assertEquals(daemon.port(), status.getInt("port", 0));
        assertTrue(status.getLong("bytes_per_second", 0) > 0);
        assertTrue(status.getLong("uptime_seconds", -1) >= 0);
    }

    @Test
    void healthz_isOk_andWrongMethodsAnd404sAreJsonErrors() throws Exception {
        start(manifest());
        var health = daemon.get("/healthz");
        assertEquals(200, health.statusCode());
        assertEquals("application/json; charset=utf-8",
                health.headers().firstValue("Content-Type").orElse(""));

        var post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + daemon.port() + "/api/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertTrue(post.body().contains("\"code\":\"method_not_allowed\""), post.body());

        var missing = daemon.get("/api/nothing-here");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().startsWith("{\"error\":{\"code\":\"not_found\""), missing.body());
        assertFalse(daemon.get("/").body().contains("<h1>"), "no HTML error pages");
    }
}
