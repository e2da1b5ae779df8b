package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pause, resume, cancel, retry and priority, on running and waiting jobs; illegal moves are 409.
 */
class JobControlTest extends DaemonTest {
    byte[] content = Bytes.random(1_000_000, 61);

    private JsonObject control(long id, String action) {
        var r = daemon.post("/api/jobs/" + id + "/" + action, null);
        assertEquals(200, r.statusCode(), action + ": " + r.body());
        return json(r).get("job").asObject();
    }

    private Path part(String name) {
        return daemon.models().resolve("lora/" + name + ".part");
    }

    private void awaitBytes(String name) {
        Poll.until(() -> Files.exists(part(name)) && part(name).toFile().length() > 100_000,
                () -> "bytes of " + name);
    }

    @Test
    void pauseARunningJob_keepsItsPart_andResumeContinuesFromIt() throws IOException {
        storage.pace(300_000);
        start(manifest(entry("lora", "p.safetensors", storage.put("p", content),
                Bytes.sha256(content))));
        awaitBytes("p.safetensors");

        assertEquals("paused", control(1, "pause").getString("state", null));
        long kept = Files.size(part("p.safetensors"));
        assertTrue(kept > 0);
        storage.pace(0);
        assertEquals("queued", control(1, "resume").getString("state", null));

        daemon.await(1, "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/p.safetensors")));
        assertEquals("bytes=" + kept + "-", storage.requests("p").get(1).header("Range"));
    }

    @Test
    void cancelARunningJob_removesItsPart_andOnlyRetryBringsItBack() throws IOException {
        storage.pace(300_000);
        start(manifest(entry("lora", "c.safetensors", storage.put("c", content),
                Bytes.sha256(content))));
        awaitBytes("c.safetensors");

        assertEquals("cancelled", control(1, "cancel").getString("state", null));
        assertFalse(Files.exists(part("c.safetensors")));
        var resume = daemon.post("/api/jobs/1/resume", null);
        assertEquals(409, resume.statusCode());
        assertEquals("cancelled", json(resume).get("error").asObject().get("details").asObject()
                .getString("state", null));

        storage.pace(0);
        assertEquals("queued", control(1, "retry").getString("state", null));
        daemon.await(1, "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/c.safetensors")));
    }

    @Test
    void illegalTransitions_are409WithTheCurrentState() {
        start(manifest(entry("lora", "done.safetensors", storage.put("done", content), null)));
        daemon.await(1, "completed");
        for (String action : new String[] {"resume", "pause", "cancel", "retry"}) {
            var r = daemon.post("/api/jobs/1/" + action, null);
            assertEquals(409, r.statusCode(), action);
            JsonObject error = json(r).get("error").asObject();
            assertEquals("conflict", error.getString("code", null));
            assertEquals("completed", error.get("details").asObject().getString("state", null));
        }
        assertEquals(404, daemon.post("/api/jobs/42/pause", null).statusCode());
    }

    @Test
    void retryAFailedJob_givesItAFreshRetryBudget() {
        var url = storage.put("f", content);
        Fault.Status busy = new Fault.Status(500, "text/plain", "busy");
        storage.fault("f", busy, busy, busy, busy);
        start(manifest(entry("lora", "f.safetensors", url, Bytes.sha256(content))));
        daemon.await(1, "failed");

        control(1, "retry");
        var job = daemon.await(1, "completed");
        assertEquals(5L, ((Number) job.get("attempts")).longValue(),
                "4 failed, then 1 after the retry");
        assertEquals(null, job.get("failure_reason"));
    }

    @Test
    void pausedJobs_waitInTheQueue() {
        storage.pace(400_000);
        start(config("workers", 1), manifest(
                entry("lora", "first.safetensors", storage.put("first", content), null),
                entry("lora", "second.safetensors", storage.put("second", content), null)));
        assertEquals("paused", control(2, "pause").getString("state", null));
        storage.pace(0);
        daemon.await(1, "completed");

        assertEquals("paused", daemon.state(2));
        assertTrue(storage.requests("second").isEmpty());
        control(2, "resume");
        daemon.await(2, "completed");
    }

    @Test
    void patchPriority_reordersTheQueue() {
        storage.pace(500_000);
        start(config("workers", 1), manifest(
                entry("lora", "a.safetensors", storage.put("a", content), null).add("priority", 1),
                entry("lora", "b.safetensors", storage.put("b", content), null).add("priority", 2),
                entry("lora", "c.safetensors", storage.put("c", content), null)
                        .add("priority", 3)));
        Poll.until(() -> !storage.requests("a").isEmpty(), () -> "a to start");

        var r = daemon.send("PATCH", "/api/jobs/3", "{\"priority\": 0}", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, json(r).get("job").asObject().getInt("priority", -1));
        storage.pace(0);
        for (long id = 1; id <= 3; id++) {
            daemon.await(id, "completed");
        }
        assertEquals(List.of("a", "c", "b"), storage.order());
        assertEquals(400, daemon.send("PATCH", "/api/jobs/3", "{\"state\": \"queued\"}", null)
                .statusCode());
        assertEquals(400, daemon.send("PATCH", "/api/jobs/3", "{\"priority\": 1.5}", null)
                .statusCode());
    }
}
