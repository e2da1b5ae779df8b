package civitai.daemon.store.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.store.Database;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Db;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {
    private static final TargetKeys KEYS = new Targets(Path.of("models"), Layout.FLAT, false)::key;

    @TempDir Path dir;

    private static JobSpec spec(String filename, int priority) {
        return new JobSpec(42L, "lora", filename, URI.create("http://127.0.0.1:1/" + filename),
                null, null, priority, null, "{}");
    }

    @Test
    void sameKey_isInsertedOnce() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            JobStore store = new JobStore(db, Clock.systemUTC(), KEYS);
            assertTrue(store.insertIfAbsent(spec("a.safetensors", 0), JobState.QUEUED).created());
            assertFalse(store.insertIfAbsent(spec("a.safetensors", 0), JobState.QUEUED).created());
            assertEquals(1, store.countsByState().get(JobState.QUEUED));
        }
    }

    @Test
    void queuedJobs_comeInPriorityThenArrivalOrder() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            JobStore store = new JobStore(db, Clock.systemUTC(), KEYS);
            store.insertIfAbsent(spec("c", 2), JobState.QUEUED);
            store.insertIfAbsent(spec("a", 1), JobState.QUEUED);
            store.insertIfAbsent(spec("b", 2), JobState.QUEUED);
            assertEquals(List.of("a", "c", "b"), store.inState(JobState.QUEUED).stream()
                    .map(j -> j.spec().filename()).toList());
        }
    }

    @Test
    void attemptsAreRecordedAndInterruptedJobsRequeued() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            JobStore store = new JobStore(db, Clock.systemUTC(), KEYS);
            long id = store.insertIfAbsent(spec("x", 0), JobState.QUEUED).job().id();
            long attempt = store.startAttempt(id, "127.0.0.1", 0);
            store.endAttempt(attempt, 1234, 200, "retry", "connection reset");
            store.startAttempt(id, "127.0.0.1", 1234);
            assertEquals(1, store.requeueInterrupted());
            Job job = store.find(id).orElseThrow();
            assertEquals(JobState.QUEUED, job.state());
            assertEquals(2, job.attempts());
        }
        Db sql = new Db(dir.resolve("completed.db"));
        assertEquals("connection reset",
                sql.one("SELECT error FROM attempts WHERE number = 1").get("error"));
        assertEquals(1234L, sql.count("SELECT start_offset FROM attempts WHERE number = 2"));
        assertEquals("retry", sql.one("SELECT outcome FROM attempts WHERE number = 1")
                .get("outcome"));
        Map<String, Object> cut = sql.one("SELECT outcome, ended_at FROM attempts"
                + " WHERE number = 2");
        assertEquals("interrupted", cut.get("outcome"),
                "an attempt cut by a kill says so after the restart");
        assertNotNull(cut.get("ended_at"));
    }
}
