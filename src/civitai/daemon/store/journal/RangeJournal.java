package civitai.daemon.store.journal;

import civitai.daemon.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * Which byte ranges of a job's {@code .part} are on disk, for a segmented download to resume
 * after a crash. Two kinds of claim:
 * <ul>
 * <li>synced: the engine fsynced those bytes before recording them; trusted after anything,
 * power loss included;
 * <li>written: their write() returned but no fsync followed yet. They sit in the page cache, which
 * a killed process does not take with it, so they are trusted while the machine has not restarted
 * since (the same Linux boot id); after a reboot they are forgotten and fetched again.
 * </ul>
 * So the journal never claims a byte the part may not hold, and a {@code kill -9} refetches only
 * what arrived after the last record rather than since the last fsync. Thread-safe (through
 * {@link Database}).
 */
public final class RangeJournal {
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final Database db;
    private final String bootId;

    /**
     * A journal that trusts written ranges for this boot of the machine (when it can tell the
     * boot).
     */
    public RangeJournal(Database db) {
        this(db, currentBootId());
    }

    /**
     * @param bootId this boot of the machine; null: written ranges are never recorded nor trusted
     */
    public RangeJournal(Database db, String bootId) {
        this.db = db;
        this.bootId = bootId;
    }

    /** The Linux boot id, or null where there is none to read. */
    static String currentBootId() {
        try {
            String id = Files.readString(BOOT_ID).strip();
            return id.isEmpty() ? null : id;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The ranges of {@code jobId} that can be trusted now, start → end (exclusive), in file order,
     * touching and overlapping ones merged.
     */
    public Map<Long, Long> ranges(long jobId) {
        return db.run(c -> {
            ByteRanges merged = new ByteRanges();
            try (PreparedStatement s = c.prepareStatement("SELECT start, end_byte FROM part_ranges"
                    + " WHERE job_id = ? AND (boot_id IS NULL OR boot_id = ?) ORDER BY start")) {
                s.setLong(1, jobId);
                s.setString(2, bootId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        // the marker is stored as [-1, -1)
                        long start = Math.max(0, rs.getLong(1));
                        long end = Math.max(0, rs.getLong(2));
                        merged.add(start, end);
                    }
                }
            }
            return merged.asMap();
        });
    }

    /**
     * Replaces the recorded ranges of {@code jobId}, in one transaction: {@code synced} ranges
     * were fsynced, {@code written} ones only written (kept only when the boot id is known). While
     * no range is synced an empty range is recorded too, durable, and read back as [0, 0):
     * segments are writing the part out of order, so after a crash (or a reboot that voids the
     * written ranges) its length proves nothing (holes read as zeros) and must not be taken for a
     * prefix. It is stored at -1, clear of a written range that starts at 0.
     */
    public void record(long jobId, Map<Long, Long> synced, Map<Long, Long> written) {
        db.transaction(c -> {
            clear(c, jobId);
            boolean any = insert(c, "INSERT INTO part_ranges (job_id, start, end_byte)"
                    + " VALUES (?, ?, ?)", jobId, synced, null);
            if (!any) {
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO part_ranges (job_id, start, end_byte) VALUES (?, -1, -1)")) {
                    s.setLong(1, jobId);
                    s.executeUpdate();
                }
            }
            if (bootId != null) {  // a written range never displaces a synced one at its start
                insert(c, "INSERT OR IGNORE INTO part_ranges (job_id, start, end_byte, boot_id)"
                        + " VALUES (?, ?, ?, ?)", jobId, written, bootId);
            }
            return null;
        });
    }

    /** Inserts the non-empty ranges; true when there was any. */
    private static boolean insert(Connection c, String sql, long jobId, Map<Long, Long> ranges,
            String boot) throws SQLException {
        boolean any = false;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (var r : ranges.entrySet()) {
                if (r.getValue() > r.getKey()) {
                    s.setLong(1, jobId);
                    s.setLong(2, r.getKey());
                    s.setLong(3, r.getValue());
                    if (boot != null) {
                        s.setString(4, boot);
                    }
                    s.addBatch();
                    any = true;
                }
            }
            s.executeBatch();
        }
        return any;
    }

    /** Forgets the ranges of {@code jobId} (its part was restarted, finished or removed). */
    public void clear(long jobId) {
        db.run(c -> {
            clear(c, jobId);
            return null;
        });
    }

    private static void clear(Connection c, long jobId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM part_ranges WHERE job_id = ?")) {
            s.setLong(1, jobId);
            s.executeUpdate();
        }
    }
}
