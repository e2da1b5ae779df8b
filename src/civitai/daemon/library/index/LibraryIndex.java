package civitai.daemon.library.index;

import civitai.daemon.civitai.HashLookup;
import civitai.daemon.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code library_files} table: rows written by scans and identification, read by the API.
 * Goes through the one {@link Database} lock, like every other table. Thread-safe.
 */
public final class LibraryIndex {
    private final Database db;
    private final Clock clock;

    public LibraryIndex(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Every row of a root, present or missing. */
    public List<LibraryFile> under(Root root) {
        return db.run(c -> Rows.files(c, "WHERE root = ?", root.path().toString()));
    }

    public Optional<LibraryFile> find(long id) {
        return db.run(c -> Rows.files(c, "WHERE id = ?", id)).stream().findFirst();
    }

    public Optional<LibraryFile> byPath(String path) {
        return db.run(c -> Rows.files(c, "WHERE path = ?", path)).stream().findFirst();
    }

    /** The present files with this SHA-256. */
    public List<LibraryFile> withSha256(String sha256) {
        return db.run(c -> Rows.files(c, "WHERE sha256 = ? AND state = 'present' ORDER BY path",
                sha256));
    }

    /** Every present file: what a workflow's models are looked for in. */
    public List<LibraryFile> present() {
        return db.run(c -> Rows.files(c, "WHERE state = 'present' ORDER BY path"));
    }

    /** A newly found file, hashed. */
    public void insert(Found f, String sha256, String modelType) {
        Instant now = Instant.now(clock);
        db.run(c -> Rows.exec(c, "INSERT INTO library_files (path, root, name, size, mtime_ms,"
                + " inode, sha256, autov2, model_type, state, hashed_at, seen_at) VALUES (?, ?, ?,"
                + " ?, ?, ?, ?, ?, ?, 'present', ?, ?) ON CONFLICT(path) DO UPDATE"
                + " SET root = excluded.root, size = excluded.size, mtime_ms = excluded.mtime_ms,"
                + " inode = excluded.inode, sha256 = excluded.sha256, autov2 = excluded.autov2,"
                + " model_type = excluded.model_type, state = 'present',"
                + " hashed_at = excluded.hashed_at, seen_at = excluded.seen_at",
                f.path().toString(), f.root().path().toString(), f.path().getFileName().toString(),
                f.size(), f.mtimeMillis(), f.inode(), sha256, LibraryFile.autoV2(sha256), modelType,
                now, now));
    }

    /**
     * A row now describing the file {@code f} (the same file moved or changed): its identity
     * stays; what Civitai said of it is dropped when the content changed.
     */
    public void update(long id, Found f, String sha256, String modelType) {
        Instant now = Instant.now(clock);
        db.transaction(c -> {
            Rows.exec(c, "DELETE FROM library_files WHERE path = ? AND id <> ?",
                    f.path().toString(), id);
            Rows.exec(c, "UPDATE library_files SET source = NULL, model_id = NULL,"
                    + " version_id = NULL, model_name = NULL, entry_json = NULL,"
                    + " unmatched_at = NULL, asked_at = NULL WHERE id = ? AND sha256 IS NOT ?",
                    id, sha256);
            return Rows.exec(c, "UPDATE library_files SET path = ?, root = ?, name = ?, size = ?,"
                    + " mtime_ms = ?, inode = ?, sha256 = ?, autov2 = ?, model_type = ?,"
                    + " state = 'present', hashed_at = CASE WHEN sha256 IS ? THEN hashed_at ELSE ?"
                    + " END, seen_at = ? WHERE id = ?", f.path().toString(),
                    f.root().path().toString(), f.path().getFileName().toString(), f.size(),
                    f.mtimeMillis(), f.inode(), sha256, LibraryFile.autoV2(sha256), modelType,
                    sha256, now, now, id);
        });
    }

    /** Files seen unchanged: only their seen time and state move. */
    public void seen(List<Long> ids) {
        Instant now = Instant.now(clock);
        db.transaction(c -> {
            for (long id : ids) {
                Rows.exec(c, "UPDATE library_files SET state = 'present', seen_at = ? WHERE id = ?",
                        now, id);
            }
            return null;
        });
    }

    /**
     * Marks the rows missing that still have the path they had (a moved file's row has another);
     * how many.
     */
    public long missing(List<LibraryFile> rows) {
        return db.transaction(c -> {
            long n = 0;
            for (LibraryFile f : rows) {
                n += Rows.exec(c, "UPDATE library_files SET state = 'missing' WHERE id = ?"
                        + " AND path = ? AND state = 'present'", f.id(), f.path());
            }
            return n;
        });
    }

    /**
     * Up to {@code limit} SHA-256 of present files never matched, and not said unknown by Civitai
     * within {@code quiet} (an unknown hash is not asked again for a day).
     */
    public List<String> toIdentify(int limit, Duration quiet) {
        Instant since = Instant.now(clock).minus(quiet);
        return db.run(c -> {
            List<String> out = new ArrayList<>();
            try (var s = c.prepareStatement("SELECT DISTINCT sha256 FROM library_files"
                    + " WHERE state = 'present' AND sha256 IS NOT NULL AND source IS NULL"
                    + " AND (unmatched_at IS NULL OR unmatched_at < ?) ORDER BY sha256 LIMIT ?")) {
                Rows.bind(s, since, limit);
                try (var rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** What Civitai said of a hash: every file with it is that version's. */
    public void matched(String sha256, HashLookup.Match m) {
        Instant now = Instant.now(clock);
        db.run(c -> Rows.exec(c, "UPDATE library_files SET source = 'civitai', model_id = ?,"
                + " version_id = ?, model_name = ?, model_type = coalesce(model_type, ?),"
                + " entry_json = ?, asked_at = ?, unmatched_at = NULL WHERE sha256 = ?",
                m.modelId(), m.versionId(), m.name(), m.modelType(), m.entryJson(), now, sha256));
    }

    public void unmatched(List<String> sha256s) {
        Instant now = Instant.now(clock);
        db.transaction(c -> {
            for (String sha : sha256s) {
                Rows.exec(c, "UPDATE library_files SET asked_at = ?, unmatched_at = ?"
                        + " WHERE sha256 = ? AND source IS NULL", now, now, sha);
            }
            return null;
        });
    }

    /** Present, identified files: what adopting "all" adopts. */
    public List<LibraryFile> identified() {
        return db.run(c -> Rows.files(c, "WHERE state = 'present' AND source IS NOT NULL"
                + " AND entry_json IS NOT NULL ORDER BY path"));
    }

    /** Runs read queries for the API ({@link LibraryQuery}). */
    <T> T read(Database.Work<T> work) {
        return db.run(work);
    }
}
