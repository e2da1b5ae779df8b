package civitai.daemon.library;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the library tests share: files to make, scans to run and wait for, the index to read. */
abstract class LibraryFixture extends DaemonTest {
    /** Writes {@code content} at {@code file}, its folders made. */
    static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** The last finished scan, once none is running (the start's own scan included). */
    JsonObject settled() {
        JsonObject[] status = new JsonObject[1];
        Poll.until(() -> {
            status[0] = daemon.getJson("/api/library/scan");
            return !status[0].getBoolean("running", true) && status[0].get("last").isObject();
        }, () -> "the library scan to end: " + status[0]);
        return status[0];
    }

    /** Runs a scan of every root and returns its result. */
    JsonObject scan() {
        String before = settled().get("last").asObject().getString("finished_at", "");
        HttpResponse<String> r = daemon.post("/api/library/scan", null);
        assertEquals(202, r.statusCode(), r.body());
        JsonObject[] last = new JsonObject[1];
        Poll.until(() -> {
            JsonObject s = daemon.getJson("/api/library/scan");
            last[0] = s.get("last").isObject() ? s.get("last").asObject() : null;
            return !s.getBoolean("running", true) && last[0] != null
                    && !last[0].getString("finished_at", "").equals(before);
        }, () -> "a new scan to end: " + last[0]);
        return last[0];
    }

    /** Every indexed file, present or missing, by name order. */
    JsonArray files(String query) {
        JsonObject page = TestDaemon.json(daemon.get("/api/library?limit=500" + query));
        return page.get("files").asArray();
    }

    static JsonObject only(JsonArray files) {
        assertEquals(1, files.size(), files.toString());
        return files.get(0).asObject();
    }

    static JsonObject named(JsonArray files, String name) {
        for (JsonValue v : files) {
            if (v.asObject().getString("name", "").equals(name)) {
                return v.asObject();
            }
        }
        throw new AssertionError("no file " + name + " in " + files);
    }
}
