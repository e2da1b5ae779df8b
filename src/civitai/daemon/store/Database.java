package civitai.daemon.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The SQLite file (completed.db): one connection in WAL mode, schema migrated by
 * {@code PRAGMA user_version}. All access goes through {@link #run}, which holds one lock, so
 * SQLite sees a single writer. State that every user of some tables must share (the job writes
 * held in memory while the disk has no room) is kept with it as a {@link Part}, ended before the
 * connection closes. Thread-safe.
 */
public final class Database implements AutoCloseable {
    /** Work done with the connection under the lock. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * State kept with the database for the packages that use its tables; ended before it closes.
     */
    public interface Part extends AutoCloseable {
        @Override
        void close();
    }

    /** Makes a {@link Part}; {@code report} is the database's, for lines an operator should see. */
    @FunctionalInterface
    public interface PartMaker<T extends Part> {
        T make(Database db, Consumer<String> report);
    }

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");

    private final Connection connection;
    private final ReentrantLock lock = new ReentrantLock();
    private final Path file;
    private final Consumer<String> report;
    private final Map<Class<?>, Part> parts = new LinkedHashMap<>();  // guarded by itself

    /** A database whose parts report on standard error. */
    public Database(Path file) {
        this(file, System.err::println);
    }

    /**
     * @param report takes the lines its parts report (job writes held for want of space, recorded)
     */
    public Database(Path file, Consumer<String> report) {
        this.file = file.toAbsolutePath();
        this.report = report;
        Connection opened = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            keepPrivate(file);
            opened = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = opened.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA foreign_keys=ON");
                s.execute("PRAGMA busy_timeout=5000");
            }
            connection = opened;
            migrate();
        } catch (SQLException | IOException | StoreException e) {
            // migrate's write is the first to meet a read-only folder
            closeQuietly(opened);  // a failed open holds no file: the user may unmount or move it
            throw new StoreException("cannot open database " + file + ": " + why(file, e), e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the open failed already: that is the error to report
            }
        }
    }

    /**
     * The database holds mirror URLs that may carry credentials, so it is the owner's alone (0600)
     * even in a data folder others may read (one shared with ComfyUI). SQLite gives its -wal and
     * -shm files the database file's mode, so creating that file first is enough; files left by an
     * older version are narrowed too.
     */
    private static void keepPrivate(Path file) throws IOException {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        if (Files.notExists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: narrowed below like any existing file
            }
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path each = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(each) && !Files.getPosixFilePermissions(each).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(each, OWNER_ONLY);
            }
        }
    }

    /** The cause in words a person can act on: SQLite's own says only "unable to open". */
    private static String why(Path file, Exception e) {
        Path folder = file.toAbsolutePath().getParent();
        String raw = String.valueOf(e.getMessage());
        if (raw.contains("SQLITE_BUSY") || raw.contains("database is locked")) {
            return "another process holds a lock on it (a second daemon on the same database,"
                    + " or a sqlite3 shell in a transaction): stop that process, then start again ("
                    + raw + ")";
        }
        if (Files.isDirectory(folder) && !Files.isWritable(folder)) {
            return "its folder " + folder + " is read-only, and SQLite must write the database and"
                    + " its -wal and -shm files there: make the folder writable,"
                    + " or point \"database\" in config.json at a writable place (" + raw + ")";
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            return "the file is read-only: make it writable (" + raw + ")";
        }
        return raw;
    }

    /**
     * Runs {@code work} under the lock; a {@link SQLException} becomes a {@link StoreException}.
     */
    public <T> T run(Work<T> work) {
        lock.lock();
        try {
            return work.run(connection);
        } catch (SQLException e) {
            if (DatabaseFull.is(e)) {
                throw new DatabaseFull("the database " + file
                        + " cannot be written, its disk is full (" + e.getMessage()
                        + "): free some space there", e);
            }
            throw new StoreException("database error: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in one transaction: all of it or none. */
    public <T> T transaction(Work<T> work) {
        return run(c -> {
            c.setAutoCommit(false);
            T result;
            try {
                result = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                endQuietly(c, e);
                throw e;
            }
            c.setAutoCommit(true);
            return result;
        });
    }

    /**
     * Rolls back after {@code failure} and leaves the connection in auto-commit. SQLite may have
     * rolled back by itself (it does on a full disk), and then the rollback fails too: that must
     * not hide the failure that matters.
     */
    private static void endQuietly(Connection c, Exception failure) {
        try {
            c.rollback();
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * This database's one part of {@code kind}, made on first use: every user of the tables it
     * guards shares it.
     */
    public <T extends Part> T part(Class<T> kind, PartMaker<T> make) {
        synchronized (parts) {
            Part made = parts.get(kind);
            if (made == null) {
                made = make.make(this, report);
                parts.put(kind, made);
            }
            return kind.cast(made);
        }
    }

    private void migrate() throws SQLException {
        List<String> steps = Schema.MIGRATIONS;
        boolean current = transaction(c -> {
            int version;
            try (Statement s = c.createStatement(); var rs =
                    s.executeQuery("PRAGMA user_version")) {
                version = rs.getInt(1);
            }
            if (version > steps.size()) {
                throw new SQLException("database schema version " + version
                        + " is newer than this daemon knows (" + steps.size() + ")");
            }
            try (Statement s = c.createStatement()) {
                for (int v = version; v < steps.size(); v++) {
                    for (String statement : steps.get(v).split(";\\s*\\n")) {
                        if (!statement.isBlank()) {
                            s.executeUpdate(statement);
                        }
                    }
                }
                if (version == steps.size()) {
                    return true;
                }
                s.execute("PRAGMA user_version = " + steps.size());
            }
            return false;
        });
        if (current) {
            confirmWritable(steps.size());
        }
    }

    /**
     * A current schema needs no write, yet one is made: SQLite opens and reads a database in a
     * read-only folder without complaint, and this is what meets it first. A full disk is no
     * reason to refuse a start: the job store waits it out (it holds its writes meanwhile).
     */
    private void confirmWritable(int version) {
        try {
            run(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("PRAGMA user_version = " + version);
                }
                return null;
            });
        } catch (DatabaseFull e) {
            // nothing to write for now; the first job write that finds no room says so
        }
    }

    @Override
    public void close() {
        List<Part> made;
        synchronized (parts) {
            made = new ArrayList<>(parts.values());
        }
        for (Part part : made.reversed()) {
            part.close();
        }
        run(c -> {
            c.close();
            return null;
        });
    }
}
