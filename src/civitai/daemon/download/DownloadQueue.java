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

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, DownloadTask> tasks = new ConcurrentHashMap<>();  // carried across attempts
    private final Map<Long, Thread> running = new HashMap<>();               // guarded by lock
    private final Set<String> busyTargets = new HashSet<>();                  // guarded by lock
    private final Map<Long, Long> notBeforeNanos = new HashMap<>();           // guarded by lock
    private long lastStartNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
    private volatile boolean open = true;
    private Thread dispatcher;

    public DownloadQueue(Config config, JobStore store, EventBus bus, DaemonLog log, HttpClient client,
            ScheduledExecutorService scheduler, Clock clock, RandomGenerator random, String userAgent) {
        this.config = config;
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.policy = new RetryPolicy(config.retries(), config.retryBaseDelay(), config.retryMaxDelay(),
                random, clock);
        HttpFetch http = new HttpFetch(client, config.civitaiUrl(), config.civitaiApiKey(), userAgent);
        this.downloader = new Downloader(http, config.downloadDir(), new Bandwidth(config.maxDownloadSpeed()),
                policy, clock, config.stallTimeout());
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

    /** Adds a job unless the same one (same target and hash) is known; returns the stored job. */
    public JobStore.Inserted submit(JobSpec spec) {
        JobStore.Inserted inserted = store.insertIfAbsent(spec, JobState.QUEUED);
        if (inserted.created()) {
            bus.publish(new Event.Queued(inserted.job().id(), spec.modelType() + "/"
                    + (spec.filename() == null ? "(name from server)" : spec.filename()), spec.url().toString()));
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
                knownFilename(job), job.validator()));
        String key = targetKey(job);
        notBeforeNanos.remove(job.id());
        busyTargets.add(key);
        lastStartNanos = System.nanoTime();
        Thread worker = Thread.ofVirtual().name("job-" + job.id()).unstarted(() -> work(task, key));
        running.put(job.id(), worker);
        worker.start();
    }

    private void work(DownloadTask task, String key) {
        JobRun.Next next;
        try {
            next = new JobRun(task, store, bus, log).run(downloader, watchdog, policy,
                    config.stallTimeout(), config.timeout(), config.downloadDir());
        } catch (RuntimeException e) {  // the store itself failed: keep the job queued for later
            log.error("job " + task.jobId + ": could not be recorded", e);
            next = new JobRun.Next.RetryAfter(policy.max());
        }
        lock.lock();
        try {
            running.remove(task.jobId);
            busyTargets.remove(key);
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

    private static String knownFilename(Job job) {
        if (job.spec().filename() != null) {
            return job.spec().filename();
        }
        return job.targetPath() == null ? null : Path.of(job.targetPath()).getFileName().toString();
    }

    /** Two jobs with the same key would write the same .part: they never run together. */
    private static String targetKey(Job job) {
        String name = knownFilename(job);
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
