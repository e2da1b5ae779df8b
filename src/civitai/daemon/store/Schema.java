package civitai.daemon.store;

import java.util.List;

/**
 * The schema as a list of migrations: step {@code i} takes {@code PRAGMA user_version} from i to
 * i + 1. Append new steps; never edit a released one. A step adding a column the daemon computes
 * (such as {@code target_key}) leaves it null, and the job store fills it at the start.
 */
final class Schema {
    private Schema() {}

    static final List<String> MIGRATIONS = List.of("""
            CREATE TABLE jobs (
                id              INTEGER PRIMARY KEY,
                job_key         TEXT NOT NULL UNIQUE,
                model_id        INTEGER,
                model_type      TEXT NOT NULL,
                filename        TEXT,
                url             TEXT NOT NULL,
                expected_sha256 TEXT,
                expected_size   INTEGER,
                priority        INTEGER NOT NULL DEFAULT 0,
                updated_at      TEXT,
                entry_json      TEXT NOT NULL,
                state           TEXT NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                bytes_done      INTEGER NOT NULL DEFAULT 0,
                total_bytes     INTEGER,
                target_path     TEXT,
                sha256          TEXT,
                failure_reason  TEXT,
                last_error      TEXT,
                validator       TEXT,
                created_at      TEXT NOT NULL,
                started_at      TEXT,
                finished_at     TEXT,
                duration_ms     INTEGER,
                avg_bytes_per_s REAL
            );
            CREATE INDEX jobs_by_state ON jobs(state, priority, id);
            CREATE TABLE attempts (
                id           INTEGER PRIMARY KEY,
                job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                number       INTEGER NOT NULL,
                started_at   TEXT NOT NULL,
                ended_at     TEXT,
                host         TEXT,
                start_offset INTEGER NOT NULL DEFAULT 0,
                bytes        INTEGER NOT NULL DEFAULT 0,
                http_status  INTEGER,
                outcome      TEXT,
                error        TEXT
            );
            CREATE INDEX attempts_by_job ON attempts(job_id, number);
            """, """
            ALTER TABLE jobs ADD COLUMN attempts_before_retry INTEGER NOT NULL DEFAULT 0;
            CREATE INDEX jobs_by_finish ON jobs(state, finished_at, id);
            CREATE TABLE webhook_deliveries (
                id              INTEGER PRIMARY KEY,
                url             TEXT NOT NULL,
                event           TEXT NOT NULL,
                job_id          INTEGER,
                payload         TEXT NOT NULL,
                state           TEXT NOT NULL,
                attempts        INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL,
                last_status     INTEGER,
                last_error      TEXT,
                created_at      TEXT NOT NULL,
                delivered_at    TEXT
            );
            CREATE INDEX webhook_due ON webhook_deliveries(state, next_attempt_at);
            """, """
            CREATE INDEX jobs_by_target ON jobs(model_type, filename);
            """, """
            CREATE TABLE part_ranges (
                job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
                start    INTEGER NOT NULL,
                end_byte INTEGER NOT NULL,
                PRIMARY KEY (job_id, start)
            );
            """, """
            ALTER TABLE webhook_deliveries ADD COLUMN target TEXT;
            CREATE INDEX webhook_by_target ON webhook_deliveries(target, id);
            """, """
            ALTER TABLE jobs ADD COLUMN placed INTEGER NOT NULL DEFAULT 0;
            UPDATE jobs SET placed = 1 WHERE state = 'completed' AND avg_bytes_per_s IS NOT NULL;
            """, """
            ALTER TABLE part_ranges ADD COLUMN boot_id TEXT;
            """, """
            ALTER TABLE jobs ADD COLUMN target_key TEXT;
            DROP INDEX jobs_by_target;
            CREATE INDEX jobs_by_target_key ON jobs(target_key, state);
            """, """
            ALTER TABLE jobs ADD COLUMN expected_size_exact INTEGER NOT NULL DEFAULT 0;
            """, LibrarySchema.STEP, """
            ALTER TABLE jobs ADD COLUMN from_library TEXT;
            """);
}
