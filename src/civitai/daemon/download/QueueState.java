package civitai.daemon.download;

import civitai.daemon.download.attempt.QueuedJob;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state the queue ({@link DownloadQueue}), its {@link Dispatcher} and {@link JobControl}
 * share, and the one lock that guards it: which jobs run (and on which targets), when a retry may
 * start, what a user asked of a running job. Every field but {@link #jobs} is read and written
 * under {@link #lock}.
 */
final class QueueState {
    /** What a user asked a running job to do once its worker has stopped. */
    enum Stop { PAUSE, CANCEL, DELETE, DELETE_WITH_FILE, SUPERSEDE }

    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();
    final Map<Long, QueuedJob> jobs = new ConcurrentHashMap<>();  // carried across attempts
    final Map<Long, Thread> running = new HashMap<>();
    final Set<String> busyTargets = new HashSet<>();
    /** The target a running job took once its name came from the server. */
    final Map<Long, String> claimedTargets = new HashMap<>();
    final Map<Long, Long> notBeforeNanos = new HashMap<>();
    final Map<Long, Stop> stopRequests = new HashMap<>();
    final Map<Long, Long> supersededBy = new HashMap<>();

    /** Wakes the dispatcher. */
    void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean isRunning(long jobId) {
        lock.lock();
        try {
            return running.containsKey(jobId);
        } finally {
            lock.unlock();
        }
    }
}
