package civitai.daemon.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** completed.db holds mirror URLs with credentials: it and its -wal and -shm are 0600. */
class DatabasePrivacyTest {
    @TempDir Path dir;

    @Test
    void aNewDatabase_andItsWalAndShm_areTheOwnersAlone() throws Exception {
        Path file = dir.resolve("completed.db");
        try (Database db = new Database(file)) {
            db.run(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("CREATE TABLE scratch (x)");
                }
            });
            assertEquals("rw-------", mode(file));
            assertEquals("rw-------", mode(dir.resolve("completed.db-wal")));
            assertEquals("rw-------", mode(dir.resolve("completed.db-shm")));
        }
    }

    @Test
    void aDatabaseLeftWorldReadable_isNarrowedOnOpen() throws Exception {
        Path file = dir.resolve("completed.db");
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement s = old.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (x)");
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.setPosixFilePermissions(dir.resolve("completed.db" + suffix),
                        PosixFilePermissions.fromString("rw-r--r--"));
            }
            new Database(file).close();
            assertEquals("rw-------", mode(file));
            assertEquals("rw-------", mode(dir.resolve("completed.db-wal")));
        }
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
