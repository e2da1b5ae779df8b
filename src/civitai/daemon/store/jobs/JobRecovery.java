package civitai.daemon.store.jobs;

import civitai.daemon.store.Database;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the job store puts right once at a start, before jobs are added or dispatched: every
 * target key under the rule in force, and the jobs and attempts a stop cut short. Thread-safe
 * (through {@link Database}).
 */
final class JobRecovery {
    private final Database db;
    private final Clock clock;
    private final TargetKeys keys;
    private final HeldWrites held;

    JobRecovery(Database db, Clock clock, TargetKeys keys, HeldWrites held) {
        this.db = db;
        this.clock = clock;
        this.keys = keys;
        this.held = held;
    }

    private String now() {
        return Instant.now(clock).toString();
    }

    /**
     * A row from before the column, or one keyed under another layout or download_dir, is keyed
     * again.
     */
    int rekeyTargets() {
        return held.now(() -> db.transaction(c -> {
            List<Object[]> changed = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT id, model_type, filename, target_path, target_key FROM jobs");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String key = keys.key(rs.getString(2), rs.getString(3), rs.getString(4));
                    if (!Objects.equals(key, rs.getString(5))) {
                        changed.add(new Object[] {key, rs.getLong(1)});
                    }
                }
            }
            for (Object[] row : changed) {
                Sql.exec(c, "UPDATE jobs SET target_key = ? WHERE id = ?", row);
            }
            return changed.size();
        }));
    }

    /**
     * An attempt the stop cut short has no outcome (a kill -9, a power loss): it is marked
     * interrupted.
     */
    int requeueInterrupted() {
        try {
            return requeueInterruptedNow();
        } catch (DatabaseFull e) {
            return holdRequeue();
        }
    }

    /**
     * A start on a full disk: the requeue is held like an outcome, and the daemon serves meanwhile.
     */
    private int holdRequeue() {
        List<Job> cut = db.run(c -> JobRows.many(c, JobRows.SELECT
                + " WHERE state IN ('downloading', 'verifying')"));
        held.write(new HeldWrites.Write(0, null, "UPDATE attempts SET outcome = 'interrupted',"
                + " ended_at = coalesce(ended_at, ?), error = coalesce(error, 'the daemon stopped"
                + " during this attempt') WHERE outcome IS NULL", new Object[] {now()}, null));
        for (Job job : cut) {
            held.write(new HeldWrites.Write(job.id(), null, "UPDATE jobs SET state = 'queued'"
                    + " WHERE id = ? AND state IN ('downloading', 'verifying')",
                    new Object[] {job.id()}, j -> JobChanges.state(j, JobState.QUEUED)));
        }
        return cut.size();
    }

    private int requeueInterruptedNow() {
        return held.now(() -> db.transaction(c -> {
            Sql.exec(c, "UPDATE attempts SET outcome = 'interrupted', ended_at = coalesce(ended_at,"
                    + " ?), error = coalesce(error, 'the daemon stopped during this attempt')"
                    + " WHERE outcome IS NULL", now());
            return Sql.exec(c, "UPDATE jobs SET state = 'queued' WHERE state IN"
                    + " ('downloading', 'verifying')");
        }));
    }
}
