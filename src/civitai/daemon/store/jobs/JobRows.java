package civitai.daemon.store.jobs;

import civitai.daemon.store.Sql;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The one mapping from a jobs row to a {@link Job}, and the queries that return jobs. */
final class JobRows {
    static final String JOB_COLUMNS = "id, model_id, model_type, filename, url, expected_sha256,"
            + " expected_size, priority, updated_at, entry_json, state, attempts,"
            + " attempts_before_retry, bytes_done, total_bytes, target_path, sha256,"
            + " failure_reason, last_error, validator, created_at, started_at, finished_at,"
            + " duration_ms, expected_size_exact, from_library";
    static final String SELECT = "SELECT " + JOB_COLUMNS + " FROM jobs";

    private JobRows() {}

    static Optional<Job> one(Connection c, String sql, Object... arg) throws SQLException {
        List<Job> jobs = many(c, sql, arg);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    static List<Job> many(Connection c, String sql, Object... args) throws SQLException {
        return Sql.query(c, sql, JobRows::read, args);
    }

    /**
     * A row whose select list starts with {@link #JOB_COLUMNS}, read by position: looking each
     * column up by name costs a native call per column per row, a third of a 10,000-job insert.
     */
    static Job read(ResultSet rs) throws SQLException {
        JobSpec spec = new JobSpec(
                Sql.longOrNull(rs, 2), rs.getString(3), rs.getString(4),
                URI.create(rs.getString(5)), rs.getString(6), Sql.longOrNull(rs, 7), rs.getInt(8),
                rs.getString(9), rs.getString(10), rs.getInt(25) == 1);
        return new Job(rs.getLong(1), spec, JobState.of(rs.getString(11)),
                rs.getInt(12), rs.getInt(13), rs.getLong(14), Sql.longOrNull(rs, 15),
                rs.getString(16), rs.getString(17), rs.getString(18), rs.getString(19),
                rs.getString(20), Sql.instant(rs.getString(21)), Sql.instant(rs.getString(22)),
                Sql.instant(rs.getString(23)), Sql.longOrNull(rs, 24), rs.getString(26));
    }
}
