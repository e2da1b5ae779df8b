package civitai.daemon.download;

import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.download.attempt.AttemptRecorder;
import civitai.daemon.download.attempt.DownloadTask;
import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.attempt.RetryPolicy;
import civitai.daemon.download.attempt.Watchdog;
import civitai.daemon.download.rules.JobTargets;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Target;
import civitai.daemon.target.Targets;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The persistent priority queue's dispatcher: starts queued jobs from the store — lower priority
 * number first, then arrival — with at most {@code workers} running, {@code throttle} between two
 * starts, never two jobs on one target at once, and a retry only once its backoff has passed. Each
 * attempt runs on its own virtual thread; one dispatcher thread decides what starts. What a user
 * may do to a job is {@link JobControl}'s; this class passes those calls on. Thread-safe.
 */
public final class DownloadQueue implements AutoCloseable {
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final long IDLE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long SPACE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int PAGE = 32;  // queued jobs read per query: the first that may start usually is in it

    /**
     * How the queue paces its work.
     *
     * @param workers  concurrent downloads
     * @param throttle the least time between two starts
     * @param stall    the longest an attempt may go without a byte
     * @param timeout  the longest one attempt may take
     */
    public record Limits(int workers, Duration throttle, Duration stall, Duration timeout) {}

    private final JobStore store;
    private final EventBus bus;
    private final DaemonLog log;
    private final Downloader downloader;
    private final Watchdog watchdog;
    private final RetryPolicy policy;
    private final Limits limits;
    private final QueueState state = new QueueState();
    private final JobControl control;
    private final JobTargets targets;
    private volatile SpaceWait space;

    private long lastStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);  // guarded by state.lock
    private volatile boolean open = true;
    private Thread dispatcher;

    public DownloadQueue(JobStore store, EventBus bus, DaemonLog log, Downloader downloader, Watchdog watchdog,
            RetryPolicy policy, Limits limits) {
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.downloader = downloader;
        this.watchdog = watchdog;
        this.policy = policy;
        this.limits = limits;
        this.targets = downloader.targets();
        this.control = new JobControl(state, store, bus, log, downloader, JobControl.STOP_GRACE);
    }

    /**
     * Requeues what a crash or stop interrupted, lets the newest job of each target supersede
     * the others (jobs keyed before their layout folded two types into one folder), and starts
     * dispatching.
     */
    public void start() {
        int resumed = store.requeueInterrupted();
        if (resumed > 0) {
            log.info(resumed + " interrupted job(s) requeued; they resume from their .part files");
        }
        settleContested();
        dispatcher = Thread.ofVirtual().name("dispatcher").start(this::dispatch);
    }

    /** Adds jobs in one transaction (all or none); returns each stored job. */
    public List<JobStore.Inserted> submitAll(List<JobSpec> specs) {
        List<JobStore.Inserted> inserted;
        state.lock.lock();  // the dispatcher must not start a new job before the older ones are superseded
        try {
            inserted = store.insertAllIfAbsent(specs);
            // per contested target, the batch's last new job supersedes the others, the batch's own
            // earlier entries included: as if the entries had been added one after another
            Set<String> contested = store.contestedTargets();
            Map<String, Job> lastNew = new HashMap<>();
            for (JobStore.Inserted i : inserted) {
                if (i.created()) {
                    // under the lock too, so no job.started can come before its job.queued
                    bus.publish(new Event.Queued(i.job().id(), JobControl.label(i.job().spec()),
                            i.job().spec().url().toString()));
                    String key = store.targetKey(i.job());
                    if (key != null && contested.contains(key)) {
                        lastNew.put(key, i.job());
                    }
                }
            }
            lastNew.values().stream().sorted(Comparator.comparingLong(Job::id)).forEach(control::supersedeOthers);
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
        return inserted;
    }

    /** Adds a job unless the same one (same target and hash) is known; returns the stored job. */
    public JobStore.Inserted submit(JobSpec spec) {
        JobStore.Inserted inserted;
        state.lock.lock();  // the dispatcher must not start the new job before the older ones are superseded
        try {
            inserted = store.insertIfAbsent(spec, JobState.QUEUED);
            if (inserted.created()) {
                control.supersedeOthers(inserted.job());
                // under the lock too, so no job.started can come before its job.queued
                bus.publish(new Event.Queued(inserted.job().id(), JobControl.label(spec), spec.url().toString()));
                state.changed.signalAll();
            }
        } finally {
            state.lock.unlock();
        }
        return inserted;
    }

    /**
     * What a person's add does beyond {@link #submit}: a job that a newer one superseded is
     * wanted again, so it takes its target back (the manifest's own entries never do this).
     */
    public JobStore.Inserted reclaim(JobStore.Inserted inserted) {
        if (inserted.created() || inserted.job().state() != JobState.SUPERSEDED) {
            return inserted;
        }
        return new JobStore.Inserted(control.reclaim(inserted.job().id()), true);
    }

    /** Parts kept on disk by jobs that wait for a person (failed or paused): the space they hold. */
    public record Partials(int jobs, long bytes) {}

    public Partials partials() {
        int jobs = 0;
        long bytes = 0;
        for (JobState waiting : List.of(JobState.FAILED, JobState.PAUSED)) {
            for (Job job : store.inState(waiting)) {
                java.nio.file.Path target = downloader.targetOf(job);
                try {
                    if (target != null) {
                        var part = java.nio.file.Files.readAttributes(Targets.part(target),
                                java.nio.file.attribute.BasicFileAttributes.class,
                                java.nio.file.LinkOption.NOFOLLOW_LINKS);  // a link is no part of this job's
                        if (part.isRegularFile()) {
                            bytes += part.size();
                            jobs++;
                        }
                    }
                } catch (java.io.IOException e) {
                    // no part on disk for this job
                }
            }
        }
        return new Partials(jobs, bytes);
    }

    /** The jobs downloading now, with their progress. */
    public List<ActiveDownload> active() {
        return state.tasks.values().stream().filter(t -> state.isRunning(t.jobId)).map(ActiveDownload::of)
                .sorted(Comparator.comparingLong(ActiveDownload::jobId)).toList();
    }

    /** Pauses a queued or running job; its part stays and a resume continues it. */
    public Job pause(long id) {
        return control.pause(id);
    }

    /** Cancels a job that has not completed; its part is removed. */
    public Job cancel(long id) {
        return control.cancel(id);
    }

    /**
     * Forgets a job (and its part); the downloaded file stays unless {@code deleteFile}, and goes
     * only while it is the one the job verified. True when a file was deleted.
     */
    public boolean delete(long id, boolean deleteFile) {
        return control.delete(id, deleteFile);
    }

    /** Queues a paused job again. */
    public Job resume(long id) {
        return control.resume(id);
    }

    /** Queues a failed or cancelled job again, with a fresh retry budget. */
    public Job retry(long id) {
        return control.retry(id);
    }

    /** Moves a job in the queue's order. */
    public Job reprioritize(long id, int priority) {
        return control.reprioritize(id, priority);
    }

    /** Jobs of known size wait for space by this gate (none until it is set). */
    public void spaceBy(SpaceGate gate) {
        this.space = new SpaceWait(gate, store, bus, downloader::folder);
    }

    /** The bytes running downloads still write. */
    private long reserved() {
        long sum = 0;
        for (Long id : state.running.keySet()) {
            DownloadTask t = state.tasks.get(id);
            if (t != null && t.total != null) {
                sum += Math.max(0, t.total - t.bytes());
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
                } catch (DatabaseFull e) {  // a write the disk had no room for: look again once it may have
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
            return SPACE_RECHECK_NANOS;  // the database has no room to record an attempt: none starts
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
                if (state.running.containsKey(job.id()) || state.busyTargets.contains(targets.busyKey(job))) {
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
        DownloadTask task = state.tasks.computeIfAbsent(job.id(), id -> new DownloadTask(id, job.spec(),
                JobTargets.knownFilename(job), job.validator(), job.totalBytes()));
        task.placedHashes = store.placedHashes(job);
        String key = targets.busyKey(job);
        state.notBeforeNanos.remove(job.id());
        state.busyTargets.add(key);
        lastStartNanos = System.nanoTime();
        Thread worker = Thread.ofVirtual().name("job-" + job.id()).unstarted(() -> work(task, key));
        state.running.put(job.id(), worker);
        worker.start();
    }

    private void work(DownloadTask task, String key) {
        AttemptRecorder.Next next;
        try {
            next = new AttemptRecorder(task, store, bus, log, name -> claim(task, name)).run(downloader, watchdog, policy, limits.stall(),
                    limits.timeout(), downloader.folder(task.spec.modelType()));
        } catch (RuntimeException e) {  // the store itself failed: keep the job queued for later
            log.error("job " + task.jobId + ": could not be recorded", e);
            next = new AttemptRecorder.Next.RetryAfter(policy.max());
        }
        state.lock.lock();
        try {
            state.running.remove(task.jobId);
            state.busyTargets.remove(key);
            if (task.claimedKey != null) {
                state.busyTargets.remove(task.claimedKey);
                task.claimedKey = null;
            }
            if (!control.afterWorker(task.jobId, next instanceof AttemptRecorder.Next.Finished)) {
                switch (next) {
                    case AttemptRecorder.Next.Finished f -> state.tasks.remove(task.jobId);
                    case AttemptRecorder.Next.RetryAfter r ->
                            state.notBeforeNanos.put(task.jobId, System.nanoTime() + r.delay().toNanos());
                    case AttemptRecorder.Next.Interrupted i -> state.tasks.remove(task.jobId);
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
    private boolean claim(DownloadTask task, Target target) {
        String key = target.key();
        state.lock.lock();
        try {
            if (key.equals(task.claimedKey)) {
                return true;
            }
            if (state.busyTargets.contains(key)) {
                return false;
            }
            state.busyTargets.add(key);
            task.claimedKey = key;
            return true;
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Per target that more than one live job claims, the newest supersedes the others: only jobs
     * stored before their targets were keyed by the resolved path (or under another layout) can
     * be in this state. Before the dispatcher starts.
     */
    private void settleContested() {
        List<Job> newest = store.newestOfContested();
        newest.forEach(control::supersedeOthers);
        if (!newest.isEmpty()) {
            log.info(newest.size() + " target(s) were held by more than one job: the newest job of each keeps it");
        }
    }

    /** Stops starting jobs, interrupts the running ones (their parts stay) and waits for them. */
    @Override
    public void close() {
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
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        workers.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        for (Thread t : workers) {
            try {
                if (!t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn("download " + t.getName() + " did not stop within " + SHUTDOWN_GRACE.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
