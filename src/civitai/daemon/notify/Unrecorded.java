package civitai.daemon.notify;

import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.DatabaseFull;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Deliveries that were tried but whose outcome the database had no room to record (a full disk):
 * their writes wait here, tried again before each round of sends, and until then they are not
 * sent again (their rows still say pending, and the receiver has its message). Lost at a stop: a
 * restart sends them once more. Thread-safe.
 */
final class Unrecorded {
    private final DaemonLog log;
    private final Map<Long, Runnable> writes = new LinkedHashMap<>();  // guarded by this

    Unrecorded(DaemonLog log) {
        this.log = log;
    }

    /**
     * Records delivery {@code id}'s outcome by {@code write}, or keeps it when the disk is full.
     */
    void record(long id, Runnable write) {
        try {
            write.run();
        } catch (DatabaseFull e) {
            synchronized (this) {
                writes.put(id, write);
            }
            log.error("webhook deliveries: their outcomes wait for the database", e);
        }
    }

    /** Tries the kept writes again, in order, up to the first the database still refuses. */
    synchronized void retry() {
        for (Iterator<Runnable> it = writes.values().iterator(); it.hasNext(); ) {
            try {
                it.next().run();
            } catch (DatabaseFull e) {
                return;
            }
            it.remove();
        }
    }

    synchronized boolean holds(long id) {
        return writes.containsKey(id);
    }

    synchronized boolean any() {
        return !writes.isEmpty();
    }
}
