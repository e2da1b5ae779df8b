package civitai.daemon.download;

import civitai.daemon.download.attempt.AttemptRecorder;
import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.attempt.QueuedJob;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.download.rules.JobTargets;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Target;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The queue's one dispatcher thread and the workers it starts: which queued job starts next
 * (lower priority number first, then arrival), at most {@code workers} at once, {@code throttle}
 * between two starts, never two jobs on one target, a retry only once its backoff has passed, a
 * job of known size only when it fits; each attempt on a virtual thread of its own, and what the
 * queue does with the job once the attempt has ended. What it decides, it decides under the
 * {@link QueueState} lock. Thread-safe.
 */
final class Dispatcher {
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final long IDLE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SPACE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    // queued jobs read per query: the first that may start usually is in it
    private static final int PAGE = 32;

    private final QueueState state;
    private final JobStore store;
    private final DaemonLog log;
    private final Downloader downloader;
    private final Watchdog watchdog;
    private final RetryPolicy policy;
    private final DownloadQueue.Limits limits;
    private final JobControl control;
    private final JobTargets targets;
    private final EventBus bus;
    private volatile SpaceWait space;

    // guarded by state.lock
    private long lastStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean open = true;
    private Thread loop;

    Dispatcher(QueueState state, JobStore store, EventBus bus, DaemonLog log, Downloader downloader,
            Watchdog watchdog, RetryPolicy policy, DownloadQueue.Limits limits,
            JobControl control) {
        this.state = state;
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.downloader = downloader;
        this.watchdog = watchdog;
        this.policy = policy;
        this.limits = limits;
        this.control = control;
        this.targets = downloader.targets();
    }

    void start() {
        loop = Thread.ofVirtual().name("dispatcher").start(this::dispatch);
    }

    /** Jobs of known size wait for space this way (none until it is set). */
    void spaceBy(SpaceWait wait) {
        this.space = wait;
    }

    /** The bytes running downloads still write. */
    private long reserved() {
        long sum = 0;
        for (Long id : state.running.keySet()) {
            QueuedJob job = state.jobs.get(id);
            Long total = job == null ? null : job.total();
            if (total != null) {
                sum += Math.max(0, total - job.bytes());
            }
        }
        return sum;
    }

    private void dispatch() {
        state.lock.lock();
        try {
            while (open) {
                long waitNanos;
                try {
                    waitNanos = startWhatCan();
                } catch (DatabaseFull e) {
                    // a write the disk had no room for: look again once it may have
                    log.error("download dispatcher", e);
                    waitNanos = SPACE_RECHECK_NANOS;
                }
                if (waitNanos > 0) {
                    state.changed.awaitNanos(waitNanos);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // close() stops the dispatcher this way
        } catch (RuntimeException e) {
            log.error("download dispatcher stopped", e);
        } finally {
            state.lock.unlock();
        }
    }

    /** Starts at most one job; returns how long to wait before looking again (0: look now). */
    private long startWhatCan() {
        if (state.running.size() >= limits.workers()) {
            return IDLE_RECHECK_NANOS;
        }
        if (store.writesHeld()) {
            // the database has no room to record an attempt: none starts
            return SPACE_RECHECK_NANOS;
        }
        long now = System.nanoTime();
        long wait = IDLE_RECHECK_NANOS;
        if (space != null && space.release(reserved()) > 0) {
            wait = SPACE_RECHECK_NANOS;  // free space has no event to wait on: look again soon
        }
        int priority = Integer.MIN_VALUE;
        long afterId = 0;
        for (List<Job> page; !(page = store.queuedAfter(priority, afterId, PAGE)).isEmpty(); ) {
            for (Job job : page) {
                priority = job.spec().priority();
                afterId = job.id();
                Long notBefore = state.notBeforeNanos.get(job.id());
                if (state.running.containsKey(job.id())
                        || state.busyTargets.contains(targets.busyKey(job))) {
                    continue;
                }
                if (notBefore != null && notBefore - now > 0) {
                    wait = Math.min(wait, notBefore - now);
                    continue;
                }
                long throttleLeft = lastStartNanos + limits.throttle().toNanos() - now;
                if (throttleLeft > 0) {
                    return throttleLeft;
                }
                if (space != null && space.holds(job, reserved())) {
                    wait = Math.min(wait, SPACE_RECHECK_NANOS);
                    continue;
                }
                launch(job);
                return 0;
            }
        }
        return wait;
    }

    private void launch(Job job) {
        QueuedJob queued = state.jobs.computeIfAbsent(job.id(), id -> new QueuedJob(id, job.spec(),
                JobTargets.knownFilename(job), job.validator(), job.totalBytes()));
        queued.placedHere(store.placedHashes(job));
        String key = targets.busyKey(job);
        state.notBeforeNanos.remove(job.id());
        state.busyTargets.add(key);
        lastStartNanos = System.nanoTime();
        Thread worker = Thread.ofVirtual().name("job-" + job.id())
                .unstarted(() -> work(queued, key));
        state.running.put(job.id(), worker);
        worker.start();
    }

    private void work(QueuedJob job, String key) {
        long id = job.jobId();
        AttemptRecorder.Next next;
        try {
            next = new AttemptRecorder(job, store, bus, log, target -> claim(id, target))
                    .run(downloader, watchdog, policy, limits.stall(), limits.timeout(),
                            targets.folder(job.spec().modelType()));
        } catch (RuntimeException e) {  // the store itself failed: keep the job queued for later
            log.error("job " + id + ": could not be recorded", e);
            next = new AttemptRecorder.Next.RetryAfter(policy.max());
        }
        state.lock.lock();
        try {
            state.running.remove(id);
            state.busyTargets.remove(key);
            String claimed = state.claimedTargets.remove(id);
            if (claimed != null) {
                state.busyTargets.remove(claimed);
            }
            if (!control.afterWorker(id, next instanceof AttemptRecorder.Next.Finished)) {
                switch (next) {
                    case AttemptRecorder.Next.Finished f -> state.jobs.remove(id);
                    case AttemptRecorder.Next.RetryAfter r ->
                            state.notBeforeNanos.put(id, System.nanoTime() + r.delay().toNanos());
                    case AttemptRecorder.Next.Interrupted i -> state.jobs.remove(id);
                }
            }
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * A running job whose file name came from the server takes that target, unless another
     * running job holds it: two jobs never write one .part.
     */
    private boolean claim(long jobId, Target target) {
        String key = target.key();
        state.lock.lock();
        try {
            if (key.equals(state.claimedTargets.get(jobId))) {
                return true;
            }
            if (state.busyTargets.contains(key)) {
                return false;
            }
            state.busyTargets.add(key);
            state.claimedTargets.put(jobId, key);
            return true;
        } finally {
            state.lock.unlock();
        }
    }

    /** Stops starting jobs, interrupts the running ones (their parts stay) and waits for them. */
    void close() {
        List<Thread> workers;
        state.lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            workers = List.copyOf(state.running.values());
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
        if (loop != null) {
            loop.interrupt();
        }
        workers.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        for (Thread t : workers) {
            try {
                if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn("download " + t.getName() + " did not stop within "
                            + SHUTDOWN_GRACE.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
