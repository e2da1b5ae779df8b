package civitai.daemon.library.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Statement helpers and the one mapping from a {@code library_files} row to a {@link LibraryFile}.
 */
final class Rows {
    static final String COLUMNS = "id, path, root, size, mtime_ms, inode, sha256, autov2,"
            + " model_type, source, model_id, version_id, model_name, state, hashed_at,"
            + " unmatched_at, seen_at, entry_json";

    private Rows() {}

    static int exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            return s.executeUpdate();
        }
    }

    static List<LibraryFile> files(Connection c, String where, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM library_files "
                + where)) {
            bind(s, args);
            List<LibraryFile> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(file(rs));
                }
            }
            return out;
        }
    }

    static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] == null) {
                s.setNull(i + 1, Types.NULL);
            } else if (args[i] instanceof Instant t) {
                s.setString(i + 1, t.toString());
            } else {
                s.setObject(i + 1, args[i]);
            }
        }
    }

    private static LibraryFile file(ResultSet rs) throws SQLException {
        return new LibraryFile(rs.getLong("id"), rs.getString("path"), rs.getString("root"),
                rs.getLong("size"), rs.getLong("mtime_ms"), rs.getString("inode"),
                rs.getString("sha256"), rs.getString("autov2"),
                rs.getString("model_type"), rs.getString("source"), longOrNull(rs, "model_id"),
                longOrNull(rs, "version_id"), rs.getString("model_name"), rs.getString("state"),
                instant(rs.getString("hashed_at")), instant(rs.getString("unmatched_at")),
                instant(rs.getString("seen_at")), rs.getString("entry_json"));
    }

    private static Long longOrNull(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private static Instant instant(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
