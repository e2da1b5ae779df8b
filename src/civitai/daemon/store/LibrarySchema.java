package civitai.daemon.store;

/**
 * The library's tables, one migration step of {@link Schema}: every model file under the
 * library's roots, found by path, by inode and by SHA-256. A file that vanished stays as
 * {@code missing}, with what was known of it.
 */
final class LibrarySchema {
    private LibrarySchema() {}

    static final String STEP = """
            CREATE TABLE library_files (
                id           INTEGER PRIMARY KEY,
                path         TEXT NOT NULL UNIQUE,
                root         TEXT NOT NULL,
                name         TEXT NOT NULL,
                size         INTEGER NOT NULL,
                mtime_ms     INTEGER NOT NULL,
                inode        TEXT,
                sha256       TEXT,
                autov2       TEXT,
                model_type   TEXT,
                source       TEXT,
                model_id     INTEGER,
                version_id   INTEGER,
                model_name   TEXT,
                hf_repo      TEXT,
                hf_commit    TEXT,
                state        TEXT NOT NULL,
                hashed_at    TEXT,
                asked_at     TEXT,
                unmatched_at TEXT,
                seen_at      TEXT NOT NULL,
                entry_json   TEXT
            );
            CREATE INDEX library_by_sha256 ON library_files(sha256);
            CREATE INDEX library_by_inode ON library_files(inode);
            CREATE INDEX library_by_root ON library_files(root, state);
            """;
}
