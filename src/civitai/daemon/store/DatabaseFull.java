package civitai.daemon.store;

import civitai.daemon.log.Explained;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * SQLite could not write: the disk under the database is full (SQLITE_FULL), or a write or sync
 * of it failed (SQLITE_IOERR on write, fsync or growing the shared memory). Space comes back
 * without a restart, so callers wait it out; the message says what to do, and the logs show it as
 * that one line, with no stack trace.
 */
public final class DatabaseFull extends StoreException implements Explained {
    private static final long serialVersionUID = 1L;

    public DatabaseFull(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether {@code e} is SQLite refusing a write for want of space (or a failed write). */
    static boolean is(SQLException e) {
        if (!(e instanceof SQLiteException s) || s.getResultCode() == null) {
            return false;
        }
        SQLiteErrorCode code = s.getResultCode();
        return code == SQLiteErrorCode.SQLITE_FULL || code == SQLiteErrorCode.SQLITE_IOERR_WRITE
                || code == SQLiteErrorCode.SQLITE_IOERR_FSYNC
                || code == SQLiteErrorCode.SQLITE_IOERR_SHMSIZE
                || (code.code & 0xff) == SQLiteErrorCode.SQLITE_FULL.code;
    }
}
