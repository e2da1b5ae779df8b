package civitai.daemon.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which byte ranges of a job's {@code .part} are on disk, for a segmented download to resume
 * after a crash. The engine records a range only after its bytes were fsynced, so the journal never
 * claims a byte the part may not hold. Thread-safe (through {@link Database}).
 */
public final class RangeJournal {
    private final Database db;

    public RangeJournal(Database db) {
        this.db = db;
    }

    /** The recorded ranges of {@code jobId}, start → end (exclusive), in file order. */
    public Map<Long, Long> ranges(long jobId) {
        return db.run(c -> {
            Map<Long, Long> ranges = new TreeMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT start, end_byte FROM part_ranges WHERE job_id = ? ORDER BY start")) {
                s.setLong(1, jobId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        ranges.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            return ranges;
        });
    }

    /**
     * Replaces the recorded ranges of {@code jobId}, in one transaction. No range on disk yet is
     * still recorded, as the empty range [0, 0): segments are writing the part out of order, so
     * after a crash its length proves nothing (holes read as zeros) and must not be taken for a
     * prefix.
     */
    public void record(long jobId, Map<Long, Long> ranges) {
        db.transaction(c -> {
            clear(c, jobId);
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO part_ranges (job_id, start, end_byte) VALUES (?, ?, ?)")) {
                boolean any = false;
                for (var r : ranges.entrySet()) {
                    if (r.getValue() > r.getKey()) {
                        s.setLong(1, jobId);
                        s.setLong(2, r.getKey());
                        s.setLong(3, r.getValue());
                        s.addBatch();
                        any = true;
                    }
                }
                if (!any) {
                    s.setLong(1, jobId);
                    s.setLong(2, 0);
                    s.setLong(3, 0);
                    s.addBatch();
                }
                s.executeBatch();
            }
            return null;
        });
    }

    /** Forgets the ranges of {@code jobId} (its part was restarted, finished or removed). */
    public void clear(long jobId) {
        db.run(c -> {
            clear(c, jobId);
            return null;
        });
    }

    private static void clear(java.sql.Connection c, long jobId) throws java.sql.SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM part_ranges WHERE job_id = ?")) {
            s.setLong(1, jobId);
            s.executeUpdate();
        }
    }
}
