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
            + " created_at, started_at, finished_at, duration_ms, expected_size_exact, from_library";

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
        try {
            bind(s, args);
            return s.executeUpdate();
        } catch (SQLException e) {
            forget(c, sql);
            throw e;
        }
    }

    /**
     * Drops the kept statement for {@code sql} after it failed: sqlite-jdbc leaves one that failed
     * (a full disk) unusable ("statement is not executing"), so the next use prepares it afresh.
     */
    private static void forget(Connection c, String sql) {
        Map<String, PreparedStatement> mine = PREPARED.get(c);
        PreparedStatement s = mine == null ? null : mine.remove(sql);
        if (s != null) {
            try {
                s.close();
            } catch (SQLException e) {
                // it is dropped either way
            }
        }
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
        } catch (SQLException e) {
            forget(c, sql);
            throw e;
        }
    }

    /**
     * A row whose select list starts with {@link #JOB_COLUMNS}, read by position: looking each
     * column up by name costs a native call per column per row, a third of a 10,000-job insert.
     */
    static Job read(ResultSet rs) throws SQLException {
        JobSpec spec = new JobSpec(
                longOrNull(rs, 2), rs.getString(3), rs.getString(4), URI.create(rs.getString(5)),
                rs.getString(6), longOrNull(rs, 7), rs.getInt(8), rs.getString(9), rs.getString(10),
                rs.getInt(25) == 1);
        return new Job(rs.getLong(1), spec, JobState.of(rs.getString(11)),
                rs.getInt(12), rs.getInt(13), rs.getLong(14), longOrNull(rs, 15), rs.getString(16),
                rs.getString(17), rs.getString(18), rs.getString(19), rs.getString(20),
                instant(rs.getString(21)), instant(rs.getString(22)), instant(rs.getString(23)),
                longOrNull(rs, 24), rs.getString(26));
    }

    static Long longOrNull(ResultSet rs, String column) throws SQLException {
        return longOrNull(rs, rs.findColumn(column));
    }

    private static Long longOrNull(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs.getString(column));
    }

    /**
     * Parses what the store writes, {@link Instant#toString()} ("2026-11-22T19:27:33.186Z"), by
     * hand: {@code Instant.parse} was a tenth of reading back 10,000 new jobs. Anything else goes
     * to {@code Instant.parse}, which also makes the errors.
     */
    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(n - 1) != 'Z') {
            return Instant.parse(text);
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21;
            if (text.charAt(19) != '.' || digits < 1 || digits > 9) {
                return Instant.parse(text);
            }
            nanos = digits(text, 20, n - 1);
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        }
        int year = digits(text, 0, 4), month = digits(text, 5, 7), day = digits(text, 8, 10);
        int hour = digits(text, 11, 13), minute = digits(text, 14, 16), second = digits(text, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || nanos < 0) {
            return Instant.parse(text);
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();  // checks month and day
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
    }

    /** The decimal number in text[from, to), or -1 when a character there is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }
}
