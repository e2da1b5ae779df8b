package civitai.daemon.store.jobs;

import civitai.daemon.store.Database;
import civitai.daemon.store.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The read side of the job records: pages of jobs, the completed history, and the figures
 * {@code /api/metrics} reports. Job pages show the writes held while the disk is full
 * ({@link HeldWrites}). Thread-safe (through {@link Database}).
 */
public final class JobHistory {
    private final Database db;
    private final Clock clock;
    private final HeldWrites held;

    public JobHistory(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.held = HeldWrites.of(db);
    }

    /** One page and the cursor of the next, null on the last page. */
    public record Page(List<Job> jobs, String nextCursor) {}

    /** Jobs newest first, optionally in one state; {@code cursor} is a previous page's. */
    public Page jobs(JobState state, int limit, String cursor) {
        return jobs(state == null ? Set.of() : Set.of(state), limit, cursor);
    }

    /**
     * Jobs in any of {@code states} (every job when empty), newest first; the cursor is the last id
     * shown.
     */
    public Page jobs(Set<JobState> states, int limit, String cursor) {
        long below = cursor == null ? Long.MAX_VALUE : Long.parseLong(cursor);
        StringBuilder keys = new StringBuilder(",");
        states.forEach(s -> keys.append(s.key()).append(','));
        String wanted = states.isEmpty() ? null : keys.toString();
        // a job a held write moves into one of the states is in the page too, and one it moves out
        // is not
        StringBuilder heldIds = new StringBuilder(",");
        held.jobs().forEach(id -> heldIds.append(id).append(','));
        List<Job> rows = db.run(c -> JobRows.many(c, JobRows.SELECT
                + " WHERE (?1 IS NULL OR instr(?1, ',' || state || ',') > 0 OR instr(?4,"
                + " ',' || id || ',') > 0) AND id < ?2 ORDER BY id DESC LIMIT ?3", wanted, below,
                limit + 1, heldIds.toString()));
        List<Job> seen = held.overlayAll(rows);
        Page page = page(seen, limit, j -> Long.toString(j.id()));
        return states.isEmpty() ? page
                : new Page(page.jobs().stream().filter(j -> states.contains(j.state())).toList(),
                        page.nextCursor());
    }

    /**
     * Completed jobs, most recently finished first. The cursor is {@code <finished_at>,<id>} of the
     * last job of the previous page.
     */
    public Page completed(int limit, String cursor, String modelType, Instant since) {
        return completed(limit, cursor, modelType, since, null);
    }

    /**
     * As above, only jobs whose file name contains {@code search} (ignoring case) when it is not
     * null. A completion held while the disk is full is in it as it will be written.
     */
    public Page completed(int limit, String cursor, String modelType, Instant since,
            String search) {
        String after = "9999";
        long afterId = Long.MAX_VALUE;
        if (cursor != null) {
            int comma = cursor.lastIndexOf(',');
            after = cursor.substring(0, comma);
            afterId = Long.parseLong(cursor.substring(comma + 1));
        }
        String lower = search == null ? null : search.toLowerCase(Locale.ROOT);
        Object[] args = {after, afterId, modelType, since == null ? null : since.toString(),
                limit + 1, lower};
        List<Job> rows = db.run(c -> JobRows.many(c, JobRows.SELECT
                + " WHERE state = 'completed' AND (finished_at < ?1 OR (finished_at = ?1"
                + " AND id < ?2)) AND (?3 IS NULL OR model_type = ?3) AND (?4 IS NULL"
                + " OR finished_at >= ?4) AND (?6 IS NULL OR instr(lower(coalesce(filename, url)),"
                + " ?6) > 0) ORDER BY finished_at DESC, id DESC LIMIT ?5", args));
        Set<Long> heldIds = held.jobs();
        if (heldIds.isEmpty()) {
            return page(rows, limit, JobHistory::completedCursor);
        }
        String at = after;
        long atId = afterId;
        Map<Long, Job> shown = new LinkedHashMap<>();
        held.overlayAll(rows).forEach(j -> shown.put(j.id(), j));
        heldJobs(heldIds).forEach(j -> shown.put(j.id(), j));
        List<Job> completed = shown.values().stream()
                .filter(j -> j.state() == JobState.COMPLETED && j.finishedAt() != null)
                .filter(j -> completedBefore(j, at, atId) && matches(j, modelType, since, lower))
                .sorted(Comparator.comparing((Job j) -> j.finishedAt().toString())
                        .thenComparingLong(Job::id).reversed())
                .toList();
        return page(completed, limit, JobHistory::completedCursor);
    }

    /** The jobs held writes change, as those writes leave them. */
    private List<Job> heldJobs(Set<Long> ids) {
        StringBuilder list = new StringBuilder(",");
        ids.forEach(id -> list.append(id).append(','));
        return held.overlayAll(db.run(c -> JobRows.many(c, JobRows.SELECT
                + " WHERE instr(?1, ',' || id || ',') > 0", list.toString())));
    }

    /** A page's cursor: when its last job finished, then that job's id. */
    private static String completedCursor(Job j) {
        return j.finishedAt() + "," + j.id();
    }

    private static boolean completedBefore(Job j, String after, long afterId) {
        int byTime = j.finishedAt().toString().compareTo(after);
        return byTime < 0 || byTime == 0 && j.id() < afterId;
    }

    private static boolean matches(Job j, String modelType, Instant since, String lowerSearch) {
        String name = j.spec().filename() != null ? j.spec().filename() : j.spec().url().toString();
        return (modelType == null || modelType.equals(j.spec().modelType()))
                && (since == null || !j.finishedAt().isBefore(since))
                && (lowerSearch == null || name.toLowerCase(Locale.ROOT).contains(lowerSearch));
    }

    private static Page page(List<Job> rows, int limit, Function<Job, String> cursorOf) {
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<Job> shown = rows.subList(0, limit);
        return new Page(List.copyOf(shown), cursorOf.apply(shown.get(limit - 1)));
    }

    /** Counts and bytes of one group of jobs. */
    public record Tally(long count, long bytes) {}

    /**
     * The figures behind {@code /api/metrics}: what was downloaded, how fast, what failed and why.
     *
     * @param bytesTransferred bytes received over all attempts (resumes and retries included)
     * @param averageSpeed     mean bytes/s of completed downloads, null when there are none
     * @param successRate      completed / (completed + failed), null before any ended
     */
    public record Metrics(
            Map<JobState, Integer> jobsByState,
            long bytesCompleted,
            long bytesTransferred,
            Double averageSpeed,
            Double bestSpeed,
            Double successRate,
            long retries,
            Map<String, Long> failuresByReason,
            Map<String, Tally> perDay,
            Map<String, Tally> perModelType,
            Map<String, Long> webhooksByState) {}

    public Metrics metrics(Map<JobState, Integer> byState) {
        String since = Instant.now(clock).minus(Duration.ofDays(30)).toString();
        return db.run(c -> {
            double[] speeds = doubles(c, "SELECT avg(avg_bytes_per_s), max(avg_bytes_per_s)"
                    + " FROM jobs WHERE state = 'completed' AND avg_bytes_per_s IS NOT NULL");
            int completed = byState.get(JobState.COMPLETED);
            int failed = byState.get(JobState.FAILED);
            return new Metrics(byState,
                    longOf(c, "SELECT coalesce(sum(bytes_done), 0) FROM jobs"
                    + " WHERE state = 'completed'"),
                    longOf(c, "SELECT coalesce(sum(bytes), 0) FROM attempts"),
                    Double.isNaN(speeds[0]) ? null : speeds[0],
                    Double.isNaN(speeds[1]) ? null : speeds[1],
                    completed + failed == 0 ? null : completed / (double) (completed + failed),
                    longOf(c, "SELECT count(*) FROM attempts WHERE outcome = 'retry'"),
                    counts(c, "SELECT coalesce(failure_reason, 'unknown'), count(*) FROM jobs"
                            + " WHERE state = 'failed' GROUP BY 1 ORDER BY 2 DESC"),
                    tallies(c, "SELECT substr(finished_at, 1, 10), count(*),"
                    + " coalesce(sum(bytes_done), 0)"
                            + " FROM jobs WHERE state = 'completed' AND finished_at >= ?"
                            + " GROUP BY 1 ORDER BY 1", since),
                    tallies(c, "SELECT model_type, count(*), coalesce(sum(bytes_done), 0) FROM jobs"
                            + " WHERE state = 'completed' GROUP BY 1 ORDER BY 1"),
                    counts(c, "SELECT state, count(*) FROM webhook_deliveries"
                    + " GROUP BY 1 ORDER BY 1"));
        });
    }

    private static long longOf(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.getLong(1);
        }
    }

    private static double[] doubles(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            double a = rs.getDouble(1);
            boolean none = rs.wasNull();
            double b = rs.getDouble(2);
            return new double[] {none ? Double.NaN : a, none ? Double.NaN : b};
        }
    }

    private static Map<String, Long> counts(Connection c, String sql) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    private static Map<String, Tally> tallies(Connection c, String sql, Object... args)
            throws SQLException {
        Map<String, Tally> out = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(sql)) {
            Sql.bind(s, args);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Tally(rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** Attempts of one job, oldest first, as rows for the API. */
    public List<Map<String, Object>> attempts(long jobId) {
        return db.run(c -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT number, started_at, ended_at,"
                    + " host, start_offset, bytes, http_status, outcome, error FROM attempts"
                    + " WHERE job_id = ? ORDER BY number")) {
                s.setLong(1, jobId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                        }
                        rows.add(row);
                    }
                }
            }
            return rows;
        });
    }
}
