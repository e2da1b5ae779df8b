package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Order, concurrency and pacing of the queue. */
class QueueTest extends DaemonTest {
    byte[] content = Bytes.random(400_000, 13);

    /** Each job its own bytes: equal bytes would be taken from the library, not fetched. */
    private JsonObject job(String name, int priority) {
        byte[] own = Bytes.random(content.length, name.hashCode());
        return entry("lora", name + ".safetensors", storage.put(name, own), Bytes.sha256(own))
                .add("priority", priority);
    }

    private void awaitAll(String... names) {
        for (String n : names) {
            daemon.await(daemon.idOf(n + ".safetensors"), "completed");
        }
    }

    @Test
    void lowerPriorityNumberRunsFirst_tiesInArrivalOrder() {
        start(config("workers", 1), manifest(job("p5", 5), job("p1", 1), job("p3a", 3),
                job("p3b", 3)));
        awaitAll("p5", "p1", "p3a", "p3b");
        assertEquals(List.of("p1", "p3a", "p3b", "p5"), storage.order());
    }

    @Test
    void neverMoreThanWorkersAtOnce() {
        storage.pace(1_000_000);
        start(config("workers", 2), manifest(job("a", 0), job("b", 0), job("c", 0), job("d", 0)));
        awaitAll("a", "b", "c", "d");
        assertEquals(2, storage.maxConcurrentOverall());
    }

    @Test
    void throttle_spacesTheStartsOfDownloads() {
        start(config("workers", 2, "throttle", 1), manifest(job("t1", 0), job("t2", 0)));
        awaitAll("t1", "t2");
        var starts = daemon.db().query("SELECT started_at FROM attempts ORDER BY started_at");
        Duration gap = Duration.between(Instant.parse((String) starts.get(0).get("started_at")),
                Instant.parse((String) starts.get(1).get("started_at")));
        assertTrue(gap.toMillis() >= 990, "second start " + gap.toMillis() + " ms after the first");
    }

    @Test
    void maxDownloadSpeed_capsAllWorkersTogether() {
        byte[] big = Bytes.random(600_000, 14);
        var a = entry("lora", "a.safetensors", storage.put("a", big), null);
        var b = entry("lora", "b.safetensors", storage.put("b", big), null);
        start(config("workers", 2, "max_download_speed", 400_000), manifest(a, b));
        long started = System.nanoTime();
        awaitAll("a", "b");
        long millis = (System.nanoTime() - started) / 1_000_000;
        // 1.2 MB at 400 kB/s is 3 s; the limiter lets a quarter second through at once
        assertTrue(millis >= 2_600, "took " + millis + " ms");
    }

    @Test
    void twoEntriesForOneTarget_theLaterSupersedesTheEarlier_andOnlyItRuns() throws IOException {
        byte[] other = Bytes.random(400_000, 15);
        var first = entry("lora", "same.safetensors", storage.put("one", content),
                Bytes.sha256(content));
        var second = entry("lora", "same.safetensors", storage.put("two", other),
                Bytes.sha256(other));
        start(config("workers", 2), manifest(first, second));
        daemon.await(2, "completed");

        assertEquals("superseded", daemon.state(1));
        assertEquals(0, storage.requests("one").size(), "the superseded job never ran");
        assertArrayEquals(other, Files.readAllBytes(daemon.models()
                .resolve("lora/same.safetensors")));
        daemon.stop();
        daemon.startAgain();
        daemon.await(2, "completed");
        assertEquals("superseded", daemon.state(1), "a restart keeps the rule as it was");
    }

    @Test
    void anUnwritableFolder_failsThatJob_andTheDaemonKeepsRunning() throws IOException {
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("models/blocked"), "a file where the folder should be");
        var blocked = entry("blocked", "x.safetensors", storage.put("x", content), null);
        start(manifest(blocked, job("fine", 0)));

        var job = daemon.await(daemon.idOf("x.safetensors"), "failed");
        assertEquals("disk_error", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("cannot create folder"),
                (String) job.get("last_error"));
        awaitAll("fine");
        assertEquals(200, daemon.get("/healthz").statusCode());
    }
}
