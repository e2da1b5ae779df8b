package civitai.daemon.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        return new JobSpec(42L, "lora", filename, URI.create("http://127.0.0.1:1/" + filename), null, null,
                priority, null, "{}");
    }

    @Test
    void freshDatabase_isMigratedAndInWalMode() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            db.run(c -> null);
        }
        Db sql = new Db(dir.resolve("completed.db"));
        assertEquals(Schema.MIGRATIONS.size(), sql.count("PRAGMA user_version"));
        assertEquals("wal", sql.one("PRAGMA journal_mode").get("journal_mode"));
        try (Database again = new Database(dir.resolve("completed.db"))) {  // a second open migrates nothing
            again.run(c -> null);
        }
        assertEquals(Schema.MIGRATIONS.size(), sql.count("PRAGMA user_version"));
    }

    @Test
    void aVersion1Database_isMigratedKeepingItsJobs() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("completed.db");
        try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            for (String statement : Schema.MIGRATIONS.get(0).split(";\\s*\\n")) {
                if (!statement.isBlank()) {
                    s.executeUpdate(statement);
                }
            }
            s.execute("PRAGMA user_version = 1");
            s.executeUpdate("INSERT INTO jobs (job_key, model_type, url, entry_json, state, attempts, created_at)"
                    + " VALUES ('lora/old', 'lora', 'http://127.0.0.1:1/old', '{}', 'failed', 3, '2026-01-01T00:00:00Z')");
        }
        try (Database db = new Database(dir.resolve("completed.db"))) {
            Job old = new JobStore(db, Clock.systemUTC(), KEYS).find(1).orElseThrow();
            assertEquals(JobState.FAILED, old.state());
            assertEquals(3, old.attemptsThisRound());
        }
        assertEquals(Schema.MIGRATIONS.size(), new Db(dir.resolve("completed.db")).count("PRAGMA user_version"));
    }

    @Test
    void rowsFromBeforeTargetKeys_getTheirResolvedPath_andTwoTypesOfOneFolderAreContested() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("completed.db");
        try (var c = java.sql.DriverManager.getConnection(url); var s = c.createStatement()) {
            for (String migration : Schema.MIGRATIONS.subList(0, 7)) {
                for (String statement : migration.split(";\\s*\\n")) {
                    if (!statement.isBlank()) {
                        s.executeUpdate(statement);
                    }
                }
            }
            s.execute("PRAGMA user_version = 7");
            for (String type : List.of("checkpoint", "unet")) {
                s.executeUpdate("INSERT INTO jobs (job_key, model_type, filename, url, entry_json, state, created_at)"
                        + " VALUES ('" + type + "/m', '" + type + "', 'm.safetensors', 'http://127.0.0.1:1/m', '{}',"
                        + " 'queued', '2026-01-01T00:00:00Z')");
            }
            s.executeUpdate("INSERT INTO jobs (job_key, model_type, filename, url, entry_json, state, created_at,"
                    + " target_path) VALUES ('lora/x', 'lora', NULL, 'http://127.0.0.1:1/x', '{}', 'completed',"
                    + " '2026-01-01T00:00:00Z', '/elsewhere/lora/x.safetensors')");
        }
        Targets a1111 = new Targets(dir.resolve("models"), Layout.A1111, false);
        try (Database db = new Database(dir.resolve("completed.db"))) {
            JobStore store = new JobStore(db, Clock.systemUTC(), a1111::key);
            assertEquals(3, store.rekeyTargets());
            assertEquals(0, store.rekeyTargets(), "keys already right are left alone");
            assertEquals(java.util.Set.of(a1111.in("unet", "m.safetensors").key()), store.contestedTargets());
            assertEquals(List.of(2L), store.newestOfContested().stream().map(Job::id).toList());
            assertEquals(List.of(1L), store.otherClaims(store.find(2).orElseThrow()).stream().map(Job::id).toList());
        }
        assertEquals(a1111.at(Path.of("/elsewhere/lora/x.safetensors")).key(),
                new Db(dir.resolve("completed.db")).one("SELECT target_key FROM jobs WHERE id = 3").get("target_key"),
                "a recorded path is the target, wherever it is");
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
        assertEquals("connection reset", sql.one("SELECT error FROM attempts WHERE number = 1").get("error"));
        assertEquals(1234L, sql.count("SELECT start_offset FROM attempts WHERE number = 2"));
        assertEquals("retry", sql.one("SELECT outcome FROM attempts WHERE number = 1").get("outcome"));
        Map<String, Object> cut = sql.one("SELECT outcome, ended_at FROM attempts WHERE number = 2");
        assertEquals("interrupted", cut.get("outcome"), "an attempt cut by a kill says so after the restart");
        assertNotNull(cut.get("ended_at"));
    }
}
