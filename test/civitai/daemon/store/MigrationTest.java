package civitai.daemon.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.store.jobs.TargetKeys;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import civitai.daemon.testing.Db;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema's migrations: a fresh database, and databases an older daemon left. */
class MigrationTest {
    private static final TargetKeys KEYS = new Targets(Path.of("models"), Layout.FLAT, false)::key;

    @TempDir Path dir;

    @Test
    void freshDatabase_isMigratedAndInWalMode() {
        try (Database db = new Database(dir.resolve("completed.db"))) {
            db.run(c -> null);
        }
        Db sql = new Db(dir.resolve("completed.db"));
        assertEquals(Schema.MIGRATIONS.size(), sql.count("PRAGMA user_version"));
        assertEquals("wal", sql.one("PRAGMA journal_mode").get("journal_mode"));
        // a second open migrates nothing
        try (Database again = new Database(dir.resolve("completed.db"))) {
            again.run(c -> null);
        }
        assertEquals(Schema.MIGRATIONS.size(), sql.count("PRAGMA user_version"));
    }

    @Test
    void aVersion1Database_isMigratedKeepingItsJobs() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("completed.db");
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            for (String statement : Schema.MIGRATIONS.get(0).split(";\\s*\\n")) {
                if (!statement.isBlank()) {
                    s.executeUpdate(statement);
                }
            }
            s.execute("PRAGMA user_version = 1");
            s.executeUpdate("INSERT INTO jobs (job_key, model_type, url, entry_json, state,"
                    + " attempts, created_at) VALUES ('lora/old', 'lora', 'http://127.0.0.1:1/old',"
                    + " '{}', 'failed', 3, '2026-01-01T00:00:00Z')");
        }
        try (Database db = new Database(dir.resolve("completed.db"))) {
            Job old = new JobStore(db, Clock.systemUTC(), KEYS).find(1).orElseThrow();
            assertEquals(JobState.FAILED, old.state());
            assertEquals(3, old.attemptsThisRound());
        }
        assertEquals(Schema.MIGRATIONS.size(),
                new Db(dir.resolve("completed.db")).count("PRAGMA user_version"));
    }

    @Test
    void rowsFromBeforeTargetKeys_getTheirResolvedPath_andTwoTypesOfOneFolderAreContested()
            throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("completed.db");
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            for (String migration : Schema.MIGRATIONS.subList(0, 7)) {
                for (String statement : migration.split(";\\s*\\n")) {
                    if (!statement.isBlank()) {
                        s.executeUpdate(statement);
                    }
                }
            }
            s.execute("PRAGMA user_version = 7");
            for (String type : List.of("checkpoint", "unet")) {
                s.executeUpdate("INSERT INTO jobs (job_key, model_type, filename, url, entry_json,"
                        + " state, created_at) VALUES ('" + type + "/m', '" + type
                        + "', 'm.safetensors', 'http://127.0.0.1:1/m', '{}',"
                        + " 'queued', '2026-01-01T00:00:00Z')");
            }
            s.executeUpdate("INSERT INTO jobs (job_key, model_type, filename, url, entry_json,"
                    + " state, created_at, target_path) VALUES ('lora/x', 'lora', NULL,"
                    + " 'http://127.0.0.1:1/x', '{}', 'completed', '2026-01-01T00:00:00Z',"
                    + " '/elsewhere/lora/x.safetensors')");
        }
        Targets a1111 = new Targets(dir.resolve("models"), Layout.A1111, false);
        try (Database db = new Database(dir.resolve("completed.db"))) {
            JobStore store = new JobStore(db, Clock.systemUTC(), a1111::key);
            assertEquals(3, store.rekeyTargets());
            assertEquals(0, store.rekeyTargets(), "keys already right are left alone");
            assertEquals(Set.of(a1111.in("unet", "m.safetensors").key()), store.contestedTargets());
            assertEquals(List.of(2L), store.newestOfContested().stream().map(Job::id).toList());
            assertEquals(List.of(1L), store.otherClaims(store.find(2).orElseThrow()).stream()
                    .map(Job::id).toList());
        }
        assertEquals(a1111.at(Path.of("/elsewhere/lora/x.safetensors")).key(),
                new Db(dir.resolve("completed.db")).one("SELECT target_key FROM jobs WHERE id = 3")
                        .get("target_key"),
                "a recorded path is the target, wherever it is");
    }
}
