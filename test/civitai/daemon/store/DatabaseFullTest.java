package civitai.daemon.store;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobHistory;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.HookReceiver;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * completed.db and download_dir on one small tmpfs (the installed layout: one data folder), and a
 * download that fills it: the job's failure cannot be written, yet the API shows it, and it
 * reaches the database once space returns. The logs stay off the tmpfs so the test can read them.
 */
class DatabaseFullTest extends DaemonTest {
    private static final int DISK = 12 << 20;
    private Path data;

    @BeforeEach
    void mountSmallDataFolder() throws Exception {
        data = dir.resolve("data");
        Files.createDirectories(data);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", data.toString()),
                "skipped: needs root to mount a 12 MiB tmpfs as the full data folder");
    }

    @AfterEach
    void unmount() throws Exception {
        if (daemon != null) {
            daemon.stop();
        }
        if (receiver != null) {
            receiver.close();
        }
        run("umount", "-l", data.toString());
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @ParameterizedTest(name = "{0} connection(s)")
    @ValueSource(ints = {1, 4})
    void aDownloadThatFillsTheDatabasesDisk_showsFailedAtOnce_andIsRecordedWhenSpaceReturns(
            int connections) throws Exception {
        receiver = HookReceiver.start();
        start(config("database", "data/completed.db", "download_dir", "data/models",
                "min_free_space", 0, "connections_per_download", connections, "min_segment_size",
                1 << 20, "workers", 1,
                "webhook_url", receiver.url(), "webhook_retry_delay", 0.05), new JsonArray());
        byte[] content = Bytes.random(DISK + (4 << 20), 221);  // more than the whole disk
        JsonObject body = entry("checkpoint", "big.safetensors", storage.put("big", content),
                Bytes.sha256(content));
        long id = json(daemon.post("/api/download", body.toString())).get("job").asObject()
                .getLong("id", 0);

        Poll.until(() -> "failed".equals(apiJob(id).getString("state", "")),
                () -> "the API to show job " + id + " failed; it shows " + apiJob(id) + "\nrow: "
                + row(id) + "\nconsole:\n" + console());
        assertEquals("disk_full", apiJob(id).getString("failure_reason", null),
                apiJob(id).toString());
        JsonObject listed = json(daemon.get("/api/jobs")).get("jobs").asArray().get(0).asObject();
        assertEquals("failed", listed.getString("state", ""), listed.toString());
        assertTrue(json(daemon.get("/api/jobs?state=failed")).get("jobs").asArray().size() == 1,
                "the failed tab lists it while the database cannot write");
        assertEquals(0, json(daemon.get("/api/jobs?state=downloading")).get("jobs").asArray()
                .size());
        JsonObject status = json(daemon.get("/api/status"));
        assertEquals(1, status.get("jobs").asObject().getInt("failed", 0), status.toString());
        assertTrue(status.get("database").asObject().getInt("writes_held", 0) > 0,
                status.toString());

        assertTrue(run("mount", "-o", "remount,size=64m", data.toString()), "space freed");
        Poll.until(() -> "failed".equals(row(id).get("state")),
                () -> "the held failure to reach the database: " + row(id) + "\n" + console());
        assertEquals("disk_full", row(id).get("failure_reason"));

        assertEquals(200, daemon.post("/api/jobs/" + id + "/retry", null).statusCode());
        Poll.until(() -> "completed".equals(row(id).get("state")),
                () -> "the retry to complete: " + row(id));
        assertArrayEquals(content, Files.readAllBytes(data.resolve(
                "models/checkpoint/big.safetensors")));
        Poll.until(() -> receiver.count("download_completed") == 1,
                () -> "the completion's webhook: " + receiver.hooks());
        assertEquals(2, receiver.count("download_started"),
                "one webhook per attempt, none sent twice: " + receiver.hooks());
        for (String log : new String[] {"download.log", "error.log"}) {
            assertFalse(daemon.log(log).contains("\tat "),
                    log + " has a stack trace:\n" + daemon.log(log));
        }
        String console = Files.readString(dir.resolve("console.log"));
        assertFalse(console.contains("\tat "), "the console has a stack trace:\n" + console);
    }

    @Test
    void aStartOnTheFullDisk_serves_andTheInterruptedJobResumesWhenSpaceReturns() throws Exception {
        start(config("database", "data/completed.db", "download_dir", "data/models",
                "min_free_space", 0, "connections_per_download", 1, "workers", 1), new JsonArray());
        byte[] content = Bytes.random(DISK + (4 << 20), 222);
        JsonObject body = entry("checkpoint", "big.safetensors", storage.put("big", content),
                Bytes.sha256(content));
        long id = json(daemon.post("/api/download", body.toString())).get("job").asObject()
                .getLong("id", 0);
        Poll.until(() -> "failed".equals(apiJob(id).getString("state", "")),
                () -> "job " + id + " to fail");
        daemon.stop();  // the held failure is lost with the process: its row still says downloading

        daemon.startAgain();
        assertEquals("queued", apiJob(id).getString("state", ""),
                "requeued in memory at the start: " + apiJob(id));
        assertEquals(507, daemon.post("/api/download", entry("lora", "other.safetensors",
                storage.put("other", new byte[10]), null).toString()).statusCode(),
                "an add cannot be recorded");
        assertTrue(run("mount", "-o", "remount,size=64m", data.toString()), "space freed");
        Poll.until(() -> "completed".equals(row(id).get("state")),
                () -> "the job to resume and complete: " + row(id));
        assertArrayEquals(content, Files.readAllBytes(data.resolve(
                "models/checkpoint/big.safetensors")));
        String console = console();
        assertFalse(console.contains("\tat "), "the console has a stack trace:\n" + console);
        assertTrue(console.contains("held write(s) not recorded at the stop"), console);
    }

    @Test
    void theStore_holdsAnOutcomeInOrder_refusesAChangeMeanwhile_andWritesItOnceThereIsRoom()
            throws Exception {
        Path file = data.resolve("completed.db");
        List<String> reported = new CopyOnWriteArrayList<>();
        try (Database db = new Database(file, reported::add)) {
            JobStore store = new JobStore(db, Clock.systemUTC(),
                    new Targets(data.resolve("models"), Layout.FLAT, false)::key);
            long id = store.insertIfAbsent(new JobSpec(1L, "lora", "a.safetensors",
                    URI.create("http://127.0.0.1:1/a"), null, null, 0, null, "{}"), JobState.QUEUED)
                            .job().id();
            Path filler = fill(data.resolve("filler.bin"));

            store.saveProgress(id, 100, 1000L, "etag-1");
            store.fail(id, "disk_full", "no room");
            // replaces the held progress, after the failure
            store.saveProgress(id, 200, null, "etag-1");

            Job shown = store.find(id).orElseThrow();
            assertEquals(JobState.FAILED, shown.state());
            assertEquals(200, shown.bytesDone());
            assertEquals(1, store.countsByState().get(JobState.FAILED));
            assertEquals(List.of(id), store.inState(JobState.FAILED).stream().map(Job::id)
                    .toList());
            assertTrue(store.inState(JobState.QUEUED).isEmpty(), "no longer queued as read");
            assertEquals("queued", new Db(file).one("SELECT state FROM jobs WHERE id = ?", id)
                    .get("state"));
            assertTrue(store.writesHeld());
            Assertions.assertThrows(DatabaseFull.class, () -> store.setPriority(id, 5));
            assertEquals(1, reported.size(), "one line when writes start being held: " + reported);

            Files.delete(filler);
            Poll.until(() -> !store.writesHeld(), () -> "the held writes to be made: " + reported);
            var row = new Db(file).one("SELECT state, failure_reason, bytes_done, total_bytes"
                    + " FROM jobs WHERE id = ?", id);
            assertEquals("failed", row.get("state"));
            assertEquals("disk_full", row.get("failure_reason"));
            assertEquals(200, ((Number) row.get("bytes_done")).intValue());
            assertEquals(1000, ((Number) row.get("total_bytes")).intValue());
            store.setPriority(id, 5);  // accepted again
            assertTrue(reported.get(1).contains("accepts writes again"), reported.toString());
        }
    }

    @Test
    void aCompletionHeldForWantOfSpace_isInTheCompletedHistory_asItWillBeWritten()
            throws Exception {
        Path file = data.resolve("completed.db");
        try (Database db = new Database(file, line -> { })) {
            JobStore store = new JobStore(db, Clock.systemUTC(),
                    new Targets(data.resolve("models"), Layout.FLAT, false)::key);
            JobHistory history = new JobHistory(db, Clock.systemUTC());
            long earlier = store.insertIfAbsent(new JobSpec(1L, "lora", "a.safetensors",
                    URI.create("http://127.0.0.1:1/a"), null, null, 0, null, "{}"), JobState.QUEUED)
                            .job().id();
            long held = store.insertIfAbsent(new JobSpec(2L, "vae", "b.safetensors",
                    URI.create("http://127.0.0.1:1/b"), null, null, 0, null, "{}"), JobState.QUEUED)
                            .job().id();
            store.complete(earlier, "/models/a.safetensors", "aa", 10, 5, true, null);
            Path filler = fill(data.resolve("filler.bin"));

            store.complete(held, "/models/b.safetensors", "bb", 20, 5, true, null);
            assertTrue(store.writesHeld());
            assertEquals("queued", new Db(file).one("SELECT state FROM jobs WHERE id = ?", held)
                    .get("state"));
            assertEquals(List.of(held, earlier), ids(history.completed(10, null, null, null)));
            assertEquals(List.of(held), ids(history.completed(10, null, "vae", null)), "its type");
            assertEquals(List.of(held), ids(history.completed(10, null, null, null, "B.SAFE")),
                    "its name");
            var first = history.completed(1, null, null, null);
            assertEquals(List.of(held), ids(first));
            assertEquals(List.of(earlier),
                    ids(history.completed(1, first.nextCursor(), null, null)), "paged");

            Files.delete(filler);
            Poll.until(() -> !store.writesHeld(), () -> "the held completion to be written");
            assertEquals(List.of(held, earlier), ids(history.completed(10, null, null, null)));
        }
    }

    private static List<Long> ids(JobHistory.Page page) {
        return page.jobs().stream().map(Job::id).toList();
    }

    /** Writes {@code file} until the file system has no room left; returns it. */
    private static Path fill(Path file) throws IOException {
        byte[] block = new byte[64 << 10];
        try (var out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return file;
    }

    private HookReceiver receiver;


    private String console() {
        try {
            return Files.readString(dir.resolve("console.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private JsonObject apiJob(long id) {
        return json(daemon.get("/api/jobs/" + id)).get("job").asObject();
    }

    private Map<String, Object> row(long id) {
        return new Db(data.resolve("completed.db")).one("SELECT state, failure_reason, last_error,"
                + " bytes_done FROM jobs WHERE id = ?", id);
    }
}
