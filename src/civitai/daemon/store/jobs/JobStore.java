package civitai.daemon.store.jobs;

import civitai.daemon.store.Database;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Every job and every attempt, in SQLite: the single source of truth the queue works from and
 * the history users query with the sqlite3 CLI. What the engine records of a job is held in memory
 * while the disk is full ({@link HeldWrites}), and every read shows it; the other writes are
 * refused meanwhile ({@link DatabaseFull}). The changes are made here; the queries are
 * {@link JobReads}'s, and what a start puts right {@link JobRecovery}'s. Thread-safe (through
 * {@link Database}).
 */
public final class JobStore {
    private final Database db;
    private final Clock clock;
    private final TargetKeys keys;
    private final HeldWrites held;
    private final JobReads reads;
    private final JobRecovery recovery;

    public JobStore(Database db, Clock clock, TargetKeys keys) {
        this.db = db;
        this.clock = clock;
        this.keys = keys;
        this.held = HeldWrites.of(db);
        this.reads = new JobReads(db, keys, held);
        this.recovery = new JobRecovery(db, clock, keys, held);
    }

    /** True while job outcomes wait in memory for the database to have room. */
    public boolean writesHeld() {
        return held.any();
    }

    /** How many writes wait in memory (0 while the database takes them). */
    public int heldWrites() {
        return held.size();
    }

    private String now() {
        return Instant.now(clock).toString();
    }

    /**
     * Inserts a job unless one with the same {@link JobSpec#key()} exists; returns the stored one.
     */
    public Inserted insertIfAbsent(JobSpec spec, JobState state) {
        return held.now(() -> db.transaction(c -> insertIfAbsent(c, spec, state)));
    }

    private Inserted insertIfAbsent(Connection c, JobSpec spec, JobState state)
            throws SQLException {
        // one statement for a new job (a batch of 10,000 is mostly new ones); a second only for a
        // known one
        Optional<Job> inserted = JobRows.one(c, "INSERT INTO jobs (job_key, model_id,"
                + " model_type, filename, url, expected_sha256, expected_size, priority,"
                + " updated_at, entry_json, state, created_at, target_key, expected_size_exact)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                + " ON CONFLICT (job_key) DO NOTHING RETURNING " + JobRows.JOB_COLUMNS,
                spec.key(), spec.modelId(), spec.modelType(), spec.filename(),
                spec.url().toString(), spec.expectedSha256(), spec.expectedSize(), spec.priority(),
                spec.updatedAt(), spec.entryJson(), state.key(), now(),
                keys.key(spec.modelType(), spec.filename(), null), spec.exactSize() ? 1 : 0);
        if (inserted.isPresent()) {
            return new Inserted(inserted.get(), true);
        }
        return new Inserted(findByKey(c, spec.key()).orElseThrow(), false);
    }

    /** The outcome of {@link #insertIfAbsent}: the job, and whether it is new. */
    public record Inserted(Job job, boolean created) {}

    public Optional<Job> find(long id) {
        return reads.find(id);
    }

    /**
     * The other jobs that claim {@code job}'s target (the same resolved file) and are not
     * superseded yet: the ones a newer job takes the target from.
     */
    public List<Job> otherClaims(Job job) {
        return reads.otherClaims(job);
    }

    /**
     * The newest job that holds the file {@code modelType}/{@code filename} resolves to and still
     * means to have it there: waiting, running, paused or completed. A failed, cancelled or
     * superseded job holds nothing.
     */
    public Optional<Job> holder(String modelType, String filename) {
        return reads.holder(modelType, filename);
    }

    /** The {@link TargetKeys key} of a job's target; null while its file name is unknown. */
    public String targetKey(Job job) {
        return reads.targetKey(job);
    }

    /**
     * The target keys more than one job claims that are not superseded: only their jobs can have
     * an {@link #otherClaims other claim}.
     */
    public Set<String> contestedTargets() {
        return reads.contestedTargets();
    }

    /** Per contested target, its newest job not superseded, oldest first. */
    public List<Job> newestOfContested() {
        return reads.newestOfContested();
    }

    /**
     * SHA-256s of files this daemon downloaded, verified and placed at the target of {@code job}:
     * its own files. A file a job found already there (and adopted) is not one of them.
     */
    public Set<String> placedHashes(Job job) {
        return reads.placedHashes(job);
    }

    /** Jobs in {@code state}, in queue order: lower priority number first, then arrival. */
    public List<Job> inState(JobState state) {
        return reads.inState(state);
    }

    /**
     * Up to {@code limit} queued jobs in queue order after the one with ({@code priority},
     * {@code id}).
     */
    public List<Job> queuedAfter(int priority, long id, int limit) {
        return reads.queuedAfter(priority, id, limit);
    }

    /** How many jobs are in each state, the held writes' state changes counted. */
    public Map<JobState, Integer> countsByState() {
        return reads.countsByState();
    }

    private static Optional<Job> findByKey(Connection c, String key) throws SQLException {
        return JobRows.one(c, JobRows.SELECT + " WHERE job_key = ?", key);
    }

    /**
     * Gives every job the key its target has under the rule in force; returns how many keys
     * changed. Run once at start, before jobs are added or dispatched.
     */
    public int rekeyTargets() {
        return recovery.rekeyTargets();
    }

    /**
     * After a crash or restart, before any download starts: jobs that were mid-download go back to
     * the queue, and the attempts the stop cut short say so.
     */
    public int requeueInterrupted() {
        return recovery.requeueInterrupted();
    }

    /** A queued job waits for space; {@code why} says how much it needs and how much is free. */
    public void waitForSpace(long id, String why) {
        update("UPDATE jobs SET state = 'waiting_space', last_error = ? WHERE id = ?"
                + " AND state = 'queued'", why, id);
    }

    /** A job that waited for space is queued again; false when it no longer waited (cancelled). */
    public boolean spaceFound(long id) {
        return update("UPDATE jobs SET state = 'queued', last_error = NULL WHERE id = ?"
                + " AND state = 'waiting_space'", id) > 0;
    }

    public void setState(long id, JobState state) {
        keep(id, null, j -> JobChanges.state(j, state), "UPDATE jobs SET state = ? WHERE id = ?",
                state.key(), id);
    }

    /** Opens attempt number {@code attempts + 1} and marks the job downloading; returns its id. */
    public long startAttempt(long jobId, String host, long startOffset) {
        return held.now(() -> db.transaction(c -> {
            Sql.exec(c, "UPDATE jobs SET state = 'downloading', attempts = attempts + 1,"
                    + " started_at = coalesce(started_at, ?) WHERE id = ?", now(), jobId);
            Sql.exec(c, "INSERT INTO attempts (job_id, number, started_at, host, start_offset)"
                    + " SELECT id, attempts, ?, ?, ? FROM jobs WHERE id = ?", now(), host,
                    startOffset, jobId);
            try (PreparedStatement s = c.prepareStatement("SELECT last_insert_rowid()");
                    ResultSet rs = s.executeQuery()) {
                return rs.getLong(1);
            }
        }));
    }

    /**
     * Closes an attempt with what it achieved. {@code outcome}: completed, retry, failed, aborted
     * ({@code interrupted} is set by {@link #requeueInterrupted} alone).
     */
    public void endAttempt(long attemptId, long bytes, Integer httpStatus, String outcome,
            String error) {
        keep(0, null, null, "UPDATE attempts SET ended_at = ?, bytes = ?, http_status = ?,"
                + " outcome = ?, error = ? WHERE id = ?", now(), bytes, httpStatus, outcome, error,
                attemptId);
    }

    public void saveProgress(long jobId, long bytesDone, Long totalBytes, String validator) {
        // a held progress write replaces the one before it, so it carries the total that one knew
        Long total = totalBytes != null || !held.any() ? totalBytes
                : find(jobId).map(Job::totalBytes).orElse(null);
        keep(jobId, "progress", j -> JobChanges.progress(j, bytesDone, total, validator),
                "UPDATE jobs SET" + " bytes_done = ?, total_bytes = coalesce(?, total_bytes),"
                + " validator = ? WHERE id = ?", bytesDone, total, validator, jobId);
    }

    public void setTarget(long jobId, String targetPath) {
        keep(jobId, null, j -> JobChanges.target(j, targetPath), "UPDATE jobs SET target_path = ?,"
                + " target_key = ? WHERE id = ?", targetPath, keys.key(null, null, targetPath),
                jobId);
    }

    /** A retry is coming: the reason is kept so a user sees why the job is waiting. */
    public void noteRetry(long jobId, String reason) {
        keep(jobId, null, j -> JobChanges.retrying(j, reason), "UPDATE jobs SET state = 'queued',"
                + " last_error = ? WHERE id = ?", reason, jobId);
    }

    /**
     * {@code downloaded} is false when the file was already there (then no speed is recorded);
     * {@code fromLibrary} names the library's file it was linked to or copied from, else null.
     */
    public void complete(long jobId, String targetPath, String sha256, long bytes, long durationMs,
            boolean downloaded, String fromLibrary) {
        Double speed = downloaded && durationMs > 0 ? bytes * 1000.0 / durationMs : null;
        Instant at = Instant.now(clock);
        keep(jobId, null, j -> JobChanges.completed(j, targetPath, sha256, bytes, at, durationMs,
                fromLibrary), "UPDATE jobs SET state = 'completed', target_path = ?,"
                + " target_key = ?, sha256 = ?, bytes_done = ?, total_bytes = ?, finished_at = ?,"
                + " duration_ms = ?, avg_bytes_per_s = ?, failure_reason = NULL, validator = NULL,"
                + " placed = ?, from_library = ? WHERE id = ?", targetPath,
                keys.key(null, null, targetPath), sha256, bytes, bytes, at.toString(), durationMs,
                speed, downloaded ? 1 : 0, fromLibrary, jobId);
    }

    /** Puts jobs in one transaction: all of them or, on an error, none. */
    public List<Inserted> insertAllIfAbsent(List<JobSpec> specs) {
        return held.now(() -> db.transaction(c -> {
            List<Inserted> out = new ArrayList<>();
            for (JobSpec spec : specs) {
                out.add(insertIfAbsent(c, spec, JobState.QUEUED));
            }
            return out;
        }));
    }

    public void setPriority(long jobId, int priority) {
        update("UPDATE jobs SET priority = ? WHERE id = ?", priority, jobId);
    }

    /** Queues a failed or cancelled job again with a fresh retry budget. */
    public void requeue(long jobId) {
        update("UPDATE jobs SET state = 'queued', attempts_before_retry = attempts,"
                + " failure_reason = NULL, finished_at = NULL WHERE id = ?", jobId);
    }

    /** Removes a job and its attempts. */
    public void delete(long jobId) {
        update("DELETE FROM jobs WHERE id = ?", jobId);
    }

    public void fail(long jobId, String reason, String message) {
        Instant at = Instant.now(clock);
        keep(jobId, null, j -> JobChanges.failed(j, reason, message, at), "UPDATE jobs SET"
                + " state = 'failed', failure_reason = ?, last_error = ?,"
                + " finished_at = ? WHERE id = ?", reason, message, at.toString(), jobId);
    }

    /** A write the engine makes of a job: held in memory while the database has no room for it. */
    private void keep(long jobId, String key, UnaryOperator<Job> effect, String sql,
            Object... args) {
        held.write(new HeldWrites.Write(jobId, key, sql, args, effect));
    }

    /** A write a caller must know the outcome of: refused while writes are held. */
    private int update(String sql, Object... args) {
        return held.now(() -> db.run(c -> Sql.exec(c, sql, args)));
    }
}
