package civitai.daemon.store;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/** Statement helpers and the one mapping from a jobs row to a {@link Job}. */
final class Sql {
    static final String JOB_COLUMNS = "id, model_id, model_type, filename, url, expected_sha256,"
            + " expected_size, priority, updated_at, entry_json, state, attempts, attempts_before_retry,"
            + " bytes_done, total_bytes, target_path, sha256, failure_reason, last_error, validator,"
            + " created_at, started_at, finished_at, duration_ms";

    /**
     * Prepared statements kept per connection: compiling the same SQL again for each of 10,000
     * inserts was most of a batch's time. Used under the {@link Database} lock, like the connection.
     */
    private static final Map<Connection, Map<String, PreparedStatement>> PREPARED =
            Collections.synchronizedMap(new WeakHashMap<>());

    private Sql() {}

    /** The connection's prepared statement for {@code sql}, parameters cleared; callers do not close it. */
    static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        Map<String, PreparedStatement> mine = PREPARED.computeIfAbsent(c, k -> new HashMap<>());
        PreparedStatement s = mine.get(sql);
        if (s == null || s.isClosed()) {
            s = c.prepareStatement(sql);
            mine.put(sql, s);
        }
        s.clearParameters();
        return s;
    }

    static int exec(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = prepare(c, sql);
        bind(s, args);
        return s.executeUpdate();
    }

    static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
    }

    static Optional<Job> one(Connection c, String sql, Object... arg) throws SQLException {
        List<Job> jobs = many(c, sql, arg);
        return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
    }

    static List<Job> many(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement s = prepare(c, sql);
        bind(s, args);
        try (ResultSet rs = s.executeQuery()) {
            List<Job> jobs = new ArrayList<>();
            while (rs.next()) {
                jobs.add(read(rs));
            }
            return jobs;
        }
    }

    static Job read(ResultSet rs) throws SQLException {
        JobSpec spec = new JobSpec(
                longOrNull(rs, "model_id"), rs.getString("model_type"), rs.getString("filename"),
                URI.create(rs.getString("url")), rs.getString("expected_sha256"),
                longOrNull(rs, "expected_size"), rs.getInt("priority"), rs.getString("updated_at"),
                rs.getString("entry_json"));
        return new Job(rs.getLong("id"), spec, JobState.of(rs.getString("state")),
                rs.getInt("attempts"), rs.getInt("attempts_before_retry"), rs.getLong("bytes_done"),
                longOrNull(rs, "total_bytes"), rs.getString("target_path"), rs.getString("sha256"),
                rs.getString("failure_reason"), rs.getString("last_error"), rs.getString("validator"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"),
                longOrNull(rs, "duration_ms"));
    }

    static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        String text = rs.getString(column);
        return text == null ? null : Instant.parse(text);
    }
}
