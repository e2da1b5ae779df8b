package civitai.daemon.store.jobs;

import civitai.daemon.store.Database;
import civitai.daemon.store.Sql;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The job store's queries: jobs by id, by state and in queue order, the counts by state, and the
 * claims on a target the supersede rule compares. Every job read shows the writes held while the
 * disk is full ({@link HeldWrites}). Thread-safe (through {@link Database}).
 */
final class JobReads {
    private final Database db;
    private final TargetKeys keys;
    private final HeldWrites held;

    JobReads(Database db, TargetKeys keys, HeldWrites held) {
        this.db = db;
        this.keys = keys;
        this.held = held;
    }

    Optional<Job> find(long id) {
        return db.run(c -> JobRows.one(c, JobRows.SELECT + " WHERE id = ?", id))
                .map(held::overlay);
    }

    List<Job> otherClaims(Job job) {
        return held.overlayAll(db.run(c -> JobRows.many(c, JobRows.SELECT + " WHERE target_key ="
                + " (SELECT target_key FROM jobs WHERE id = ?) AND id <> ?"
                + " AND state <> 'superseded' ORDER BY id", job.id(), job.id())));
    }

    Optional<Job> holder(String modelType, String filename) {
        String key = keys.key(modelType, filename, null);
        return key == null ? Optional.empty() : db.run(c -> JobRows.one(c, JobRows.SELECT
                + " WHERE target_key = ? AND state IN ('queued', 'waiting_space', 'downloading',"
                + " 'verifying', 'paused', 'completed') ORDER BY id DESC LIMIT 1", key))
                .map(held::overlay);
    }

    String targetKey(Job job) {
        return keys.key(job.spec().modelType(), job.spec().filename(), job.targetPath());
    }

    /**
     * One query: asking {@code otherClaims} of each job of a 10,000-job batch would take a tenth
     * of its time.
     */
    Set<String> contestedTargets() {
        return db.run(c -> {
            Set<String> out = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT target_key FROM jobs"
                    + " WHERE target_key IS NOT NULL AND state <> 'superseded'"
                    + " GROUP BY target_key HAVING count(*) > 1");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    List<Job> newestOfContested() {
        return held.overlayAll(db.run(c -> JobRows.many(c, JobRows.SELECT + " WHERE id IN"
                + " (SELECT max(id) FROM jobs WHERE target_key IS NOT NULL AND state <>"
                + " 'superseded' GROUP BY target_key HAVING count(*) > 1) ORDER BY id")));
    }

    Set<String> placedHashes(Job job) {
        return db.run(c -> {
            Set<String> out = new HashSet<>();
            try (PreparedStatement s = c.prepareStatement("SELECT sha256 FROM jobs"
                    + " WHERE target_key = (SELECT target_key FROM jobs WHERE id = ?) AND sha256 IS"
                    + " NOT NULL AND placed = 1 AND state IN ('completed', 'superseded')")) {
                Sql.bind(s, job.id());
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1).toLowerCase(Locale.ROOT));
                    }
                }
            }
            return out;
        });
    }

    List<Job> inState(JobState state) {
        if (!held.any()) {
            return db.run(c -> JobRows.many(c, JobRows.SELECT + " WHERE state = ?"
                    + " ORDER BY priority, id", state.key()));
        }
        // the jobs a held write may move into the state
        StringBuilder ids = new StringBuilder(",");
        held.jobs().forEach(id -> ids.append(id).append(','));
        return inState(state, db.run(c -> JobRows.many(c, JobRows.SELECT + " WHERE state = ?"
                + " OR instr(?, ',' || id || ',') > 0 ORDER BY priority, id", state.key(),
                ids.toString())));
    }

    /**
     * The rows as the held writes leave them, without those the writes move out of {@code state}.
     */
    private List<Job> inState(JobState state, List<Job> rows) {
        return held.any()
                ? held.overlayAll(rows).stream().filter(j -> j.state() == state).toList()
                : rows;
    }

    /**
     * A page of the queue, read through the index it is ordered by: no load of every queued row.
     */
    List<Job> queuedAfter(int priority, long id, int limit) {
        return inState(JobState.QUEUED, db.run(c -> JobRows.many(c, JobRows.SELECT
                + " WHERE state = ? AND (priority > ? OR (priority = ? AND id > ?))"
                + " ORDER BY priority, id LIMIT ?", JobState.QUEUED.key(), priority, priority, id,
                limit)));
    }

    /** The counts as the rows say, before the held writes. */
    private Map<JobState, Integer> storedCounts() {
        return db.run(c -> {
            Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
            for (JobState s : JobState.values()) {
                counts.put(s, 0);
            }
            try (PreparedStatement s =
                            c.prepareStatement("SELECT state, count(*) FROM jobs GROUP BY state");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    counts.put(JobState.of(rs.getString(1)), rs.getInt(2));
                }
            }
            return counts;
        });
    }

    Map<JobState, Integer> countsByState() {
        Map<JobState, Integer> counts = storedCounts();
        for (long id : held.jobs()) {
            Optional<Job> stored =
                    db.run(c -> JobRows.one(c, JobRows.SELECT + " WHERE id = ?", id));
            stored.ifPresent(j -> {
                counts.merge(j.state(), -1, Integer::sum);
                counts.merge(held.overlay(j).state(), 1, Integer::sum);
            });
        }
        return counts;
    }
}
