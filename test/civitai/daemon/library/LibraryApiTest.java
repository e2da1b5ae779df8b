package civitai.daemon.library;

import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.auth.Jwt;
import civitai.daemon.auth.Role;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.SseClient;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The library's API: paging and sorting, its events on the stream, who may call what. */
class LibraryApiTest extends LibraryFixture {
    private static final String SECRET = "library-test-secret-0123456789abcdef";

    @Test
    void scan_publishesProgressAndItsEnd_onTheEventStream() throws Exception {
        start(new JsonArray());
        settled();
        write(dir.resolve("models/lora/a.safetensors"), Bytes.random(500_000, 31));
        write(dir.resolve("models/lora/b.safetensors"), Bytes.random(250_000, 32));
        try (SseClient sse = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            scan();
            SseClient.Event end = sse.await(e -> e.name().equals("library.scan.finished"),
                    "the scan's end");
            JsonObject done = Json.parse(end.data()).asObject();
            assertEquals(2, done.getLong("hashed", -1), end.data());
            assertTrue(done.get("job_id") == null,
                    "a library event belongs to no job: " + end.data());
            JsonObject last = Json.parse(sse.await(e -> e.name().equals("library.scan.progress")
                    && Json.parse(e.data()).asObject().getLong("files_done", 0) == 2,
                    "all hashed").data()).asObject();
            assertEquals(750_000, last.getLong("bytes_done", 0), last.toString());
            assertEquals(750_000, last.getLong("bytes_total", 0));
            assertEquals(2, last.getLong("files_total", 0));
            assertTrue(last.get("bytes_per_second").isNumber() && last.get("eta_seconds") != null,
                    last.toString());
        }
    }

    @Test
    void list_pagesWithLimitAndOffset_filtersAndSorts() throws Exception {
        write(dir.resolve("models/lora/small.safetensors"), Bytes.random(1_000, 41));
        write(dir.resolve("models/lora/big.safetensors"), Bytes.random(9_000, 42));
        write(dir.resolve("models/vae/medium.safetensors"), Bytes.random(5_000, 43));
        start(new JsonArray());
        settled();
        JsonObject first = json(daemon.get("/api/library?sort=size&limit=2"));
        assertEquals(3, first.getLong("total", 0));
        assertEquals("big.safetensors",
                first.get("files").asArray().get(0).asObject().getString("name", null));
        assertEquals(2, first.getLong("next_offset", 0));
        JsonObject rest = json(daemon.get("/api/library?sort=size&limit=2&offset=2"));
        assertEquals("small.safetensors",
                only(rest.get("files").asArray()).getString("name", null));
        assertTrue(rest.get("next_offset").isNull());
        assertEquals(2, files("&type=lora").size());
        assertEquals("medium.safetensors", only(files("&q=EDIU")).getString("name", null));
        long id = only(files("&type=vae")).getLong("id", 0);
        JsonObject one = json(daemon.get("/api/library/" + id)).get("file").asObject();
        assertEquals(5_000, one.getLong("size", 0));
        assertEquals(1, one.getInt("copies", 0));
    }

    @Test
    void reads_needTheViewerRole_changesTheAdminRole() throws Exception {
        start(config("jwt_secret", SECRET), new JsonArray());
        Jwt jwt = new Jwt(SECRET, Clock.systemUTC());
        String viewer = jwt.sign(Role.VIEWER, Duration.ofHours(1));
        String admin = jwt.sign(Role.ADMIN, Duration.ofHours(1));
        for (String path : new String[] {"/api/library", "/api/library/duplicates",
                "/api/library/scan"}) {
            assertEquals(200, daemon.send("GET", path, null, viewer).statusCode(), path);
            assertEquals(401, daemon.send("GET", path, null, null).statusCode(), path);
        }
        assertEquals(403, daemon.send("POST", "/api/library/scan", null, viewer).statusCode());
        assertEquals(403, daemon.send("DELETE", "/api/library/scan", null, viewer).statusCode());
        assertEquals(403, daemon.send("POST", "/api/library/adopt", "{}", viewer).statusCode());
        assertEquals(403, daemon.send("POST", "/api/library/dedupe", "{}", viewer).statusCode());
        var status = new JsonObject[1];
        Poll.until(() -> {
            status[0] = json(daemon.send("GET", "/api/library/scan", null, viewer));
            return !status[0].getBoolean("running", true);
        }, () -> "the start's scan to end");
        assertEquals(202, daemon.send("POST", "/api/library/scan", null, admin).statusCode());
    }
}
