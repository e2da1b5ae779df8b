package civitai.daemon.store;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every job and every attempt, in SQLite: the single source of truth the queue works from and
 * the history users query with the sqlite3 CLI. Thread-safe (through {@link Database}).
 */
public final class JobStore {
    private static final String COLUMNS = "id, model_id, model_type, filename, url, expected_sha256,"
            + " expected_size, priority, updated_at, entry_json, state, attempts, bytes_done,"
            + " total_bytes, target_path, sha256, failure_reason, last_error, validator,"
            + " created_at, started_at, finished_at";

    private final Database db;
    private final Clock clock;

    public JobStore(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    private String now() {
        return Instant.now(clock).toString();
    }

    /** Inserts a job unless one with the same {@link JobSpec#key()} exists; returns the stored one. */
    public Inserted insertIfAbsent(JobSpec spec, JobState state) {
        return db.transaction(c -> {
            Optional<Job> existing = findByKey(c, spec.key());
            if (existing.isPresent()) {
                return new Inserted(existing.get(), false);
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO jobs (job_key, model_id,"
                    + " model_type, filename, url, expected_sha256, expected_size, priority,"
                    + " updated_at, entry_json, state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                s.setString(1, spec.key());
                setLong(s, 2, spec.modelId());
                s.setString(3, spec.modelType());
                s.setString(4, spec.filename());
                s.setString(5, spec.url().toString());
                s.setString(6, spec.expectedSha256());
                setLong(s, 7, spec.expectedSize());
                s.setInt(8, spec.priority());
                s.setString(9, spec.updatedAt());
                s.setString(10, spec.entryJson());
                s.setString(11, state.key());
                s.setString(12, now());
                s.executeUpdate();
            }
            return new Inserted(findByKey(c, spec.key()).orElseThrow(), true);
        });
    }

    /** The outcome of {@link #insertIfAbsent}: the job, and whether it is new. */
    public record Inserted(Job job, boolean created) {}

    public Optional<Job> find(long id) {
        return db.run(c -> one(c, "SELECT " + COLUMNS + " FROM jobs WHERE id = ?", id));
    }

    private static Optional<Job> findByKey(Connection c, String key) throws SQLException {
        return one(c, "SELECT " + COLUMNS + " FROM jobs WHERE job_key = ?", key);
    }

    /** Jobs in {@code state}, in queue order: lower priority number first, then arrival. */
    public List<Job> inState(JobState state) {
        return db.run(c -> many(c, "SELECT " + COLUMNS + " FROM jobs WHERE state = ?"
                + " ORDER BY priority, id", state.key()));
    }

    public Map<JobState, Integer> countsByState() {
        return db.run(c -> {
            Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
            for (JobState s : JobState.values()) {
                counts.put(s, 0);
            }
            try (PreparedStatement s = c.prepareStatement("SELECT state, count(*) FROM jobs GROUP BY state");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(JobState.of(rs.getString(1)), rs.getInt(2));
                }
            }
            return counts;
        });
    }

    /** After a crash or restart: jobs that were mid-download go back to the queue. */
    public int requeueInterrupted() {
        return update("UPDATE jobs SET state = 'queued' WHERE state IN ('downloading', 'verifying')");
    }

    public void setState(long id, JobState state) {
        update("UPDATE jobs SET state = ? WHERE id = ?", state.key(), id);
    }

    /** Opens attempt number {@code attempts + 1} and marks the job downloading; returns its id. */
    public long startAttempt(long jobId, String host, long startOffset) {
        return db.transaction(c -> {
            exec(c, "UPDATE jobs SET state = 'downloading', attempts = attempts + 1,"
                    + " started_at = coalesce(started_at, ?) WHERE id = ?", now(), jobId);
            exec(c, "INSERT INTO attempts (job_id, number, started_at, host, start_offset)"
                    + " SELECT id, attempts, ?, ?, ? FROM jobs WHERE id = ?", now(), host, startOffset, jobId);
            try (PreparedStatement s = c.prepareStatement("SELECT last_insert_rowid()");
                    ResultSet rs = s.executeQuery()) {
                return rs.getLong(1);
            }
        });
    }

    /** Closes an attempt with what it achieved. {@code outcome}: completed, retry, failed, aborted. */
    public void endAttempt(long attemptId, long bytes, Integer httpStatus, String outcome, String error) {
        update("UPDATE attempts SET ended_at = ?, bytes = ?, http_status = ?, outcome = ?, error = ?"
                + " WHERE id = ?", now(), bytes, httpStatus, outcome, error, attemptId);
    }

    public void saveProgress(long jobId, long bytesDone, Long totalBytes, String validator) {
        update("UPDATE jobs SET bytes_done = ?, total_bytes = coalesce(?, total_bytes), validator = ?"
                + " WHERE id = ?", bytesDone, totalBytes, validator, jobId);
    }

    public void setTarget(long jobId, String targetPath) {
        update("UPDATE jobs SET target_path = ? WHERE id = ?", targetPath, jobId);
    }

    /** A retry is coming: the reason is kept so a user sees why the job is waiting. */
    public void noteRetry(long jobId, String reason) {
        update("UPDATE jobs SET state = 'queued', last_error = ? WHERE id = ?", reason, jobId);
    }

    public void complete(long jobId, String targetPath, String sha256, long bytes, long durationMs) {
        Double speed = durationMs > 0 ? bytes * 1000.0 / durationMs : null;
        update("UPDATE jobs SET state = 'completed', target_path = ?, sha256 = ?, bytes_done = ?,"
                + " total_bytes = ?, finished_at = ?, duration_ms = ?, avg_bytes_per_s = ?,"
                + " failure_reason = NULL, validator = NULL WHERE id = ?",
                targetPath, sha256, bytes, bytes, now(), durationMs, speed, jobId);
    }

    public void fail(long jobId, String reason, String message) {
        update("UPDATE jobs SET state = 'failed', failure_reason = ?, last_error = ?, finished_at = ?"
                + " WHERE id = ?", reason, message, now(), jobId);
    }

    private int update(String sql, Object... args) {
        return db.run(c -> exec(c, sql, args));
    }

    private static int exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
    }

    private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setLong(index, value);
        }
    }

    private static Optional<Job> one(Connection c, String sql, Object arg) throws SQLException {
        List<Job> jobs = many(c, sql, arg);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    private static List<Job> many(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                List<Job> jobs = new ArrayList<>();
                while (rs.next()) {
                    jobs.add(read(rs));
                }
                return jobs;
            }
        }
    }

    private static Job read(ResultSet rs) throws SQLException {
        JobSpec spec = new JobSpec(
                longOrNull(rs, "model_id"), rs.getString("model_type"), rs.getString("filename"),
                URI.create(rs.getString("url")), rs.getString("expected_sha256"),
                longOrNull(rs, "expected_size"), rs.getInt("priority"), rs.getString("updated_at"),
                rs.getString("entry_json"));
        return new Job(rs.getLong("id"), spec, JobState.of(rs.getString("state")),
                rs.getInt("attempts"), rs.getLong("bytes_done"), longOrNull(rs, "total_bytes"),
                rs.getString("target_path"), rs.getString("sha256"), rs.getString("failure_reason"),
                rs.getString("last_error"), rs.getString("validator"), instant(rs, "created_at"),
                instant(rs, "started_at"), instant(rs, "finished_at"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : Instant.parse(text);
    }
}
