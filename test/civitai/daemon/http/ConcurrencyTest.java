package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Many clients adding, pausing, cancelling and reordering while downloads run. */
class ConcurrencyTest extends DaemonTest {
    static final int CLIENTS = 8;
    static final int OPS = 40;
    static final int FILES = 12;

    @Test
    void manyClientsAtOnce_leaveAConsistentDatabase() throws Exception {
        byte[][] contents = new byte[FILES][];
        for (int i = 0; i < FILES; i++) {
            contents[i] = Bytes.random(300_000 + i * 1000, 100 + i);
            storage.put("f" + i, contents[i]);
        }
        storage.pace(2_000_000);
        start(config("workers", 3), manifest());
        List<String> problems = new CopyOnWriteArrayList<>();
        Set<Integer> added = ConcurrentHashMap.newKeySet();

        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < CLIENTS; c++) {
                long seed = c;
                pool.submit(() -> client(new Random(seed), contents, added, problems));
            }
        }
        assertEquals(List.of(), problems, "every answer was expected");

        storage.pace(0);
        Poll.until(Duration.ofSeconds(60), () -> daemon.db().count("SELECT count(*) FROM jobs"
                + " WHERE state IN ('queued', 'downloading', 'verifying')") == 0,
                () -> "the queue to drain: " + daemon.db().query("SELECT id, state FROM jobs"));

        assertEquals(added.size(), daemon.db().count("SELECT count(*) FROM jobs"),
                "one job per distinct entry");
        for (Map<String, Object> job : daemon.db().query("SELECT * FROM jobs")) {
            int i = Integer.parseInt(((String) job.get("filename")).replaceAll("\\D", ""));
            Path target = daemon.models().resolve("lora/" + job.get("filename"));
            Path part = target.resolveSibling(job.get("filename") + ".part");
            switch ((String) job.get("state")) {
                case "completed" -> {
                    assertEquals(Bytes.sha256(contents[i]), job.get("sha256"));
                    assertTrue(Files.exists(target));
                    assertFalse(Files.exists(part), "no part beside a completed file");
                }
                case "cancelled" -> assertFalse(Files.exists(part),
                        "a cancelled job leaves no part");
                case "paused", "failed" -> { }
                default -> throw new AssertionError("unexpected state " + job);
            }
            assertEquals(((Number) job.get("attempts")).longValue(),
                    daemon.db().count("SELECT count(*) FROM attempts WHERE job_id = ?",
                            job.get("id")));
        }
        assertEquals(0, daemon.db().count("SELECT count(*) FROM attempts WHERE ended_at IS NULL"),
                "every attempt was closed");
    }

    private void client(Random random, byte[][] contents, Set<Integer> added,
            List<String> problems) {
        for (int op = 0; op < OPS; op++) {
            int file = random.nextInt(FILES);
            long id = 1 + random.nextInt(FILES);
            var response = switch (random.nextInt(7)) {
                case 0, 1 -> {
                    added.add(file);
                    yield daemon.post("/api/download", entry("lora", "f" + file + ".safetensors",
                            storage.url("f" + file), Bytes.sha256(contents[file])).toString());
                }
                case 2 -> daemon.post("/api/jobs/" + id + "/pause", null);
                case 3 -> daemon.post("/api/jobs/" + id + "/resume", null);
                case 4 -> daemon.post("/api/jobs/" + id + "/cancel", null);
                case 5 -> daemon.send("PATCH", "/api/jobs/" + id,
                        "{\"priority\": " + random.nextInt(10) + "}", null);
                default -> daemon.get("/api/jobs?limit=5");
            };
            int s = response.statusCode();
            if (!(s == 200 || s == 202 || s == 404 || s == 409)) {
                problems.add(s + " " + response.body());
            }
        }
    }
}
