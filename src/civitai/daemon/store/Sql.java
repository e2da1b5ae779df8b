package civitai.daemon.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Statement helpers for the store's packages: statements prepared once per connection, arguments
 * bound by position, and the columns read as the store writes them.
 */
public final class Sql {
    /**
     * Prepared statements kept per connection: compiling the same SQL again for each of 10,000
     * inserts is most of a batch's time. Used under the {@link Database} lock, like the
     * connection.
     */
    private static final Map<Connection, Map<String, PreparedStatement>> PREPARED =
            Collections.synchronizedMap(new WeakHashMap<>());

    private Sql() {}

    /**
     * The connection's prepared statement for {@code sql}, parameters cleared; callers do not close
     * it.
     */
    public static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        Map<String, PreparedStatement> mine = PREPARED.computeIfAbsent(c, k -> new HashMap<>());
        PreparedStatement s = mine.get(sql);
        if (s == null || s.isClosed()) {
            s = c.prepareStatement(sql);
            mine.put(sql, s);
        }
        s.clearParameters();
        return s;
    }

    public static int exec(Connection c, String sql, Object... args) throws SQLException {
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

    public static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                s.setNull(i + 1, Types.NULL);
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
    }

    /** Reads one row of a result set, positioned on that row. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The rows {@code sql} selects, each read by {@code reader}, in the order they come. */
    public static <T> List<T> query(Connection c, String sql, RowReader<T> reader, Object... args)
            throws SQLException {
        PreparedStatement s = prepare(c, sql);
        bind(s, args);
        try (ResultSet rs = s.executeQuery()) {
            List<T> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(reader.read(rs));
            }
            return rows;
        } catch (SQLException e) {
            forget(c, sql);
            throw e;
        }
    }

    public static Long longOrNull(ResultSet rs, String column) throws SQLException {
        return longOrNull(rs, rs.findColumn(column));
    }

    public static Long longOrNull(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        return instant(rs.getString(column));
    }

    /**
     * Parses what the store writes, {@link Instant#toString()} ("2026-11-22T19:27:33.186Z"), by
     * hand: {@code Instant.parse} is a tenth of reading back 10,000 new jobs. Anything else goes
     * to {@code Instant.parse}, which also makes the errors.
     */
    public static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        int n = text.length();
        if (n < 20 || n > 30 || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || text.charAt(n - 1) != 'Z') {
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
        int hour = digits(text, 11, 13), minute = digits(text, 14, 16),
                second = digits(text, 17, 19);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || nanos < 0) {
            return Instant.parse(text);
        }
        long days = LocalDate.of(year, month, day).toEpochDay();  // checks month and day
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
