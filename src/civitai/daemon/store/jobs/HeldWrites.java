package civitai.daemon.store.jobs;

import civitai.daemon.store.Database;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.Sql;
import civitai.daemon.store.StoreException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Job writes the database refused for want of space ({@link DatabaseFull}), kept in memory in the
 * order they were made until it takes them: tried again before any other job write, and on a
 * timer (half a second, doubling to 8 s). While any is held, reads show the jobs as those writes
 * left them ({@link #overlay}), and a job write that cannot wait is refused at once rather than
 * made before the held ones. Only what the engine records (an attempt's end, progress, a failure,
 * a completion) is held, so what is held is bounded by the downloads that were running. One line
 * is reported when writes start being held and one when they are recorded. Thread-safe; lock
 * order: this, then the {@link Database}'s.
 */
final class HeldWrites implements Database.Part {
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long LAST_RETRY_MILLIS = 8_000;
    private static final int MAX_HELD = 10_000;

    /**
     * One held statement. {@code key}: a newer write of the same job and key replaces it (the
     * latest progress is all that matters), null for none; {@code effect}: what it does to the job
     * as read, null when nothing a {@link Job} shows.
     */
    record Write(long jobId, String key, String sql, Object[] args, UnaryOperator<Job> effect) {}

    private final Database db;
    private final Consumer<String> report;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Write> held = new ArrayList<>();  // guarded by lock
    private volatile int count;                           // held.size(), read without the lock
    private Thread retrier;                               // guarded by lock
    private boolean closed;                               // guarded by lock

    private HeldWrites(Database db, Consumer<String> report) {
        this.db = db;
        this.report = report;
    }

    /**
     * The held writes of {@code db}: one for the database, which the job store and history share.
     */
    static HeldWrites of(Database db) {
        return db.part(HeldWrites.class, HeldWrites::new);
    }

    /** Makes {@code w} now, after the held writes; holds it when the database has no room. */
    void write(Write w) {
        lock.lock();
        try {
            if (!flushed()) {
                hold(w, null);
                return;
            }
            try {
                db.run(c -> Sql.exec(c, w.sql(), w.args()));
            } catch (DatabaseFull e) {
                hold(w, e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs a write that cannot be held, after the held ones; refused while they cannot be made. */
    <T> T now(Supplier<T> write) {
        lock.lock();
        try {
            if (!flushed()) {
                throw new DatabaseFull("the database cannot be written (its disk is full): " + count
                        + " job write(s) wait to be recorded first; free some space,"
                        + " then try again", null);
            }
            return write.get();
        } finally {
            lock.unlock();
        }
    }

    /** True while writes are held: the database had no room at the last try. */
    boolean any() {
        return count > 0;
    }

    int size() {
        return count;
    }

    /** {@code job} as the held writes leave it. */
    Job overlay(Job job) {
        if (count == 0) {
            return job;
        }
        lock.lock();
        try {
            for (Write w : held) {
                if (w.jobId() == job.id() && w.effect() != null) {
                    job = w.effect().apply(job);
                }
            }
            return job;
        } finally {
            lock.unlock();
        }
    }

    List<Job> overlayAll(List<Job> jobs) {
        return count == 0 ? jobs : jobs.stream().map(this::overlay).toList();
    }

    /** The jobs whose rows the held writes change. */
    Set<Long> jobs() {
        if (count == 0) {
            return Set.of();
        }
        lock.lock();
        try {
            Set<Long> ids = new HashSet<>();
            held.stream().filter(w -> w.effect() != null).forEach(w -> ids.add(w.jobId()));
            return ids;
        } finally {
            lock.unlock();
        }
    }

    private void hold(Write w, DatabaseFull cause) {
        if (held.size() >= MAX_HELD) {
            throw new DatabaseFull("the database cannot be written and " + MAX_HELD + " writes wait"
                    + " already; free some space on its disk", cause);
        }
        if (held.isEmpty()) {
            report.accept(cause.getMessage() + ". Job outcomes are kept in memory (the API shows"
                    + " them) and recorded once it can write; no download starts meanwhile");
        }
        if (w.key() != null) {
            held.removeIf(old -> old.jobId() == w.jobId() && Objects.equals(old.key(), w.key()));
        }
        held.add(w);
        count = held.size();
        if (retrier == null && !closed) {
            retrier = Thread.ofVirtual().name("held-writes").start(this::retryUntilFlushed);
        }
    }

    /** Makes the held writes, in one transaction; false when the database still has no room. */
    private boolean flushed() {
        if (held.isEmpty()) {
            return true;
        }
        List<Write> writes = List.copyOf(held);
        try {
            db.transaction(c -> {
                for (Write w : writes) {
                    Sql.exec(c, w.sql(), w.args());
                }
                return null;
            });
            report.accept("the database accepts writes again: " + writes.size()
                    + " held write(s) recorded");
        } catch (StoreException e) {
            // still full, or busy (a sqlite3 shell's lock): try again later
            return false;
        }
        held.clear();
        count = 0;
        return true;
    }

    private void retryUntilFlushed() {
        long wait = FIRST_RETRY_MILLIS;
        while (true) {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;  // close()
            }
            lock.lock();
            try {
                if (closed || flushed()) {
                    retrier = null;
                    return;
                }
            } finally {
                lock.unlock();
            }
            wait = Math.min(wait * 2, LAST_RETRY_MILLIS);
        }
    }

    /**
     * A last try; what still cannot be written is lost, and said so (a restart requeues its jobs).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (!flushed()) {
                report.accept(count + " held write(s) not recorded at the stop (the database still"
                        + " cannot write): their jobs are queued again at the next start");
            }
            if (retrier != null) {
                retrier.interrupt();
            }
        } finally {
            lock.unlock();
        }
    }
}
