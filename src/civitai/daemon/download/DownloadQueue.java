package civitai.daemon.download;

import civitai.daemon.config.Config;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.Job;
import civitai.daemon.store.JobSpec;
import civitai.daemon.store.JobState;
import civitai.daemon.store.JobStore;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * The persistent priority queue: starts queued jobs from the store — lower priority number first,
 * then arrival — with at most {@code workers} running, {@code throttle} between two starts, never
 * two jobs on one target at once, and a retry only once its backoff has passed. Each attempt runs
 * on its own virtual thread; one dispatcher thread decides what starts. Thread-safe.
 */
public final class DownloadQueue implements AutoCloseable {
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);
    private static final long IDLE_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Config config;
    private final JobStore store;
    private final EventBus bus;
    private final DaemonLog log;
    private final Downloader downloader;
    private final Watchdog watchdog;
    private final RetryPolicy policy;
    private final Layout layout;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, DownloadTask> tasks = new ConcurrentHashMap<>();  // carried across attempts
    private final Map<Long, Thread> running = new HashMap<>();               // guarded by lock
    private final Set<String> busyTargets = new HashSet<>();                  // guarded by lock
    private final Map<Long, Long> notBeforeNanos = new HashMap<>();           // guarded by lock
    private final Map<Long, Stop> stopRequests = new HashMap<>();             // guarded by lock
    private long lastStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean open = true;
    private Thread dispatcher;

    public DownloadQueue(Config config, JobStore store, EventBus bus, DaemonLog log, HttpClient client,
            ScheduledExecutorService scheduler, Clock clock, RandomGenerator random, String userAgent,
            civitai.daemon.civitai.CivitaiGate gate) {
        this.config = config;
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.policy = new RetryPolicy(config.retries(), config.retryBaseDelay(), config.retryMaxDelay(),
                random, clock);
        HttpFetch http = new HttpFetch(client, config.civitaiUrl(), config.civitaiApiKey(), userAgent, gate);
        this.layout = Layout.of(config.layout());
        this.downloader = new Downloader(http, config.downloadDir(), layout, new Bandwidth(config.maxDownloadSpeed()),
                policy, clock, config.stallTimeout(), gate);
        this.watchdog = new Watchdog(scheduler, config.stallTimeout(), config.timeout());
    }

    /** Requeues what a crash or stop interrupted and starts dispatching. */
    public void start() {
        int resumed = store.requeueInterrupted();
        if (resumed > 0) {
            log.info(resumed + " interrupted job(s) requeued; they resume from their .part files");
        }
        dispatcher = Thread.ofVirtual().name("dispatcher").start(this::dispatch);
    }

    /** Adds jobs in one transaction (all or none); returns each stored job. */
    public List<JobStore.Inserted> submitAll(List<JobSpec> specs) {
        List<JobStore.Inserted> inserted = store.insertAllIfAbsent(specs);
        for (JobStore.Inserted i : inserted) {
            if (i.created()) {
                bus.publish(new Event.Queued(i.job().id(), label(i.job().spec()), i.job().spec().url().toString()));
            }
        }
        wake();
        return inserted;
    }

    /** Adds a job unless the same one (same target and hash) is known; returns the stored job. */
    public JobStore.Inserted submit(JobSpec spec) {
        JobStore.Inserted inserted = store.insertIfAbsent(spec, JobState.QUEUED);
        if (inserted.created()) {
            bus.publish(new Event.Queued(inserted.job().id(), label(spec), spec.url().toString()));
            wake();
        }
        return inserted;
    }

    /** The jobs downloading now, with their progress. */
    public List<ActiveDownload> active() {
        return tasks.values().stream().filter(t -> isRunning(t.jobId)).map(ActiveDownload::of)
                .sorted(java.util.Comparator.comparingLong(ActiveDownload::jobId)).toList();
    }

    private boolean isRunning(long jobId) {
        lock.lock();
        try {
            return running.containsKey(jobId);
        } finally {
            lock.unlock();
        }
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        lock.lock();
        try {
            while (open) {
                long waitNanos = startWhatCan();
                if (waitNanos > 0) {
                    changed.awaitNanos(waitNanos);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // close() stops the dispatcher this way
        } catch (RuntimeException e) {
            log.error("download dispatcher stopped", e);
        } finally {
            lock.unlock();
        }
    }

    /** Starts at most one job; returns how long to wait before looking again (0: look now). */
    private long startWhatCan() {
        if (running.size() >= config.workers()) {
            return IDLE_RECHECK_NANOS;
        }
        long now = System.nanoTime();
        long wait = IDLE_RECHECK_NANOS;
        for (Job job : store.inState(JobState.QUEUED)) {
            Long notBefore = notBeforeNanos.get(job.id());
            if (running.containsKey(job.id()) || busyTargets.contains(targetKey(job))) {
                continue;
            }
            if (notBefore != null && notBefore - now > 0) {
                wait = Math.min(wait, notBefore - now);
                continue;
            }
            long throttleLeft = lastStartNanos + config.throttle().toNanos() - now;
            if (throttleLeft > 0) {
                return throttleLeft;
            }
            launch(job);
            return 0;
        }
        return wait;
    }

    private void launch(Job job) {
        DownloadTask task = tasks.computeIfAbsent(job.id(), id -> new DownloadTask(id, job.spec(),
                Targets.knownFilename(job), job.validator()));
        String key = targetKey(job);
        notBeforeNanos.remove(job.id());
        busyTargets.add(key);
        lastStartNanos = System.nanoTime();
        Thread worker = Thread.ofVirtual().name("job-" + job.id()).unstarted(() -> work(task, key));
        running.put(job.id(), worker);
        worker.start();
    }

    /** What a user asked a running job to do once its worker has stopped. */
    private enum Stop { PAUSE, CANCEL, DELETE, DELETE_WITH_FILE }

    /** Pauses a queued or running job; its part stays and a resume continues it. */
    public Job pause(long id) {
        return control(id, "pause", Stop.PAUSE, JobState.QUEUED, JobState.DOWNLOADING, JobState.VERIFYING);
    }

    /** Cancels a job that has not completed; its part is removed. */
    public Job cancel(long id) {
        return control(id, "cancel", Stop.CANCEL, JobState.QUEUED, JobState.DOWNLOADING,
                JobState.VERIFYING, JobState.PAUSED, JobState.FAILED);
    }

    /** Forgets a job (and its part); the downloaded file stays unless {@code deleteFile}. */
    public void delete(long id, boolean deleteFile) {
        control(id, "delete", deleteFile ? Stop.DELETE_WITH_FILE : Stop.DELETE, JobState.values());
    }

    /** Queues a paused job again. */
    public Job resume(long id) {
        return requeue(id, "resume", JobState.PAUSED);
    }

    /** Queues a failed or cancelled job again, with a fresh retry budget. */
    public Job retry(long id) {
        return requeue(id, "retry", JobState.FAILED, JobState.CANCELLED);
    }

    public Job reprioritize(long id, int priority) {
        lock.lock();
        try {
            existing(id);
            store.setPriority(id, priority);
            changed.signalAll();
            return existing(id);
        } finally {
            lock.unlock();
        }
    }

    private Job requeue(long id, String action, JobState... from) {
        lock.lock();
        try {
            Job job = allowed(existing(id), action, from);
            if (job.state() == JobState.PAUSED) {
                store.setState(id, JobState.QUEUED);
            } else {
                store.requeue(id);
            }
            notBeforeNanos.remove(id);
            bus.publish(new Event.Queued(id, label(job.spec()), job.spec().url().toString()));
            changed.signalAll();
            return existing(id);
        } finally {
            lock.unlock();
        }
    }

    private Job control(long id, String action, Stop stop, JobState... from) {
        Thread worker;
        lock.lock();
        try {
            Job job = allowed(existing(id), action, from);
            worker = running.get(id);
            if (worker == null) {
                apply(stop, job);
                return stop == Stop.PAUSE || stop == Stop.CANCEL ? existing(id) : job;
            }
            stopRequests.put(id, stop);
            worker.interrupt();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(SHUTDOWN_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return store.find(id).orElse(null);
    }

    private Job existing(long id) {
        return store.find(id).orElseThrow(() -> new NoSuchJob(id));
    }

    private static Job allowed(Job job, String action, JobState... from) {
        if (!java.util.Arrays.asList(from).contains(job.state())) {
            throw new JobConflict(job.id(), action, job.state());
        }
        return job;
    }

    /** Carries out a stop on a job that no worker runs; called under the lock. */
    private void apply(Stop stop, Job job) {
        long id = job.id();
        DownloadTask task = tasks.get(id);
        switch (stop) {
            case PAUSE -> {
                store.setState(id, JobState.PAUSED);
                bus.publish(new Event.Paused(id));
                return;  // the task keeps its hash state for the resume
            }
            case CANCEL -> {
                store.setState(id, JobState.CANCELLED);
                bus.publish(new Event.Cancelled(id));
            }
            case DELETE, DELETE_WITH_FILE -> {
                store.delete(id);
                if (stop == Stop.DELETE_WITH_FILE && job.targetPath() != null && job.state() == JobState.COMPLETED) {
                    deleteQuietly(Path.of(job.targetPath()));
                }
            }
        }
        tasks.remove(id);
        notBeforeNanos.remove(id);
        if (task != null && task.part != null) {
            task.part.endAppend();
        }
        Path target = Targets.of(job, config.downloadDir(), layout);
        if (job.state() != JobState.COMPLETED && target != null) {
            deleteQuietly(Targets.part(target));
        }
    }

    private void deleteQuietly(Path file) {
        try {
            java.nio.file.Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            log.warn("could not delete " + file + ": " + e.getMessage());
        }
    }

    private static String label(JobSpec spec) {
        return spec.modelType() + "/" + (spec.filename() == null ? "(name from server)" : spec.filename());
    }

    private void work(DownloadTask task, String key) {
        JobRun.Next next;
        try {
            next = new JobRun(task, store, bus, log).run(downloader, watchdog, policy,
                    config.stallTimeout(), config.timeout(), layout.folder(config.downloadDir(), task.spec.modelType()));
        } catch (RuntimeException e) {  // the store itself failed: keep the job queued for later
            log.error("job " + task.jobId + ": could not be recorded", e);
            next = new JobRun.Next.RetryAfter(policy.max());
        }
        lock.lock();
        try {
            running.remove(task.jobId);
            busyTargets.remove(key);
            Stop stop = stopRequests.remove(task.jobId);
            if (stop != null && !(next instanceof JobRun.Next.Finished)) {
                store.find(task.jobId).ifPresent(job -> apply(stop, job));
                changed.signalAll();
                return;
            }
            switch (next) {
                case JobRun.Next.Finished f -> tasks.remove(task.jobId);
                case JobRun.Next.RetryAfter r -> notBeforeNanos.put(task.jobId, System.nanoTime() + r.delay().toNanos());
                case JobRun.Next.Interrupted i -> tasks.remove(task.jobId);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Two jobs with the same key would write the same .part: they never run together. */
    private static String targetKey(Job job) {
        String name = Targets.knownFilename(job);
        return job.spec().modelType() + "/" + (name != null ? name : "url:" + job.spec().url());
    }

    /** Stops starting jobs, interrupts the running ones (their parts stay) and waits for them. */
    @Override
    public void close() {
        List<Thread> workers;
        lock.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            workers = List.copyOf(running.values());
            changed.signalAll();
        } finally {
            lock.unlock();
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
