package civitai.daemon.download;

import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.download.rules.JobTargets;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobSpec;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The persistent priority queue: adds jobs (a newer job for a target supersedes the older ones),
 * answers what status queries ask (the running downloads, the parts kept on disk), and passes on
 * what a user may do to a job, which is {@link JobControl}'s. Which queued job starts next, and
 * what follows an attempt, is its {@link Dispatcher}'s. Thread-safe.
 */
public final class DownloadQueue implements AutoCloseable {
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
    private final QueueState state = new QueueState();
    private final JobControl control;
    private final JobTargets targets;
    private final Dispatcher dispatcher;

    public DownloadQueue(JobStore store, EventBus bus, DaemonLog log, Downloader downloader,
            Watchdog watchdog, RetryPolicy policy, Limits limits) {
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.targets = downloader.targets();
        this.control = new JobControl(state, store, bus, log, downloader, JobControl.STOP_GRACE);
        this.dispatcher = new Dispatcher(state, store, bus, log, downloader, watchdog, policy,
                limits, control);
    }

    /**
     * Requeues what a crash or stop interrupted, lets the newest job of each target supersede
     * the others (jobs stored under an older key, whose layout puts two types in one folder),
     * and starts dispatching.
     */
    public void start() {
        int resumed = store.requeueInterrupted();
        if (resumed > 0) {
            log.info(resumed + " interrupted job(s) requeued; they resume from their .part files");
        }
        settleContested();
        dispatcher.start();
    }

    /** Adds jobs in one transaction (all or none); returns each stored job. */
    public List<JobStore.Inserted> submitAll(List<JobSpec> specs) {
        List<JobStore.Inserted> inserted;
        // the dispatcher must not start a new job before the older ones are superseded
        state.lock.lock();
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
            lastNew.values().stream().sorted(Comparator.comparingLong(Job::id))
                    .forEach(control::supersedeOthers);
            state.changed.signalAll();
        } finally {
            state.lock.unlock();
        }
        return inserted;
    }

    /** Adds a job unless the same one (same target and hash) is known; returns the stored job. */
    public JobStore.Inserted submit(JobSpec spec) {
        JobStore.Inserted inserted;
        // the dispatcher must not start the new job before the older ones are superseded
        state.lock.lock();
        try {
            inserted = store.insertIfAbsent(spec, JobState.QUEUED);
            if (inserted.created()) {
                control.supersedeOthers(inserted.job());
                // under the lock too, so no job.started can come before its job.queued
                bus.publish(new Event.Queued(inserted.job().id(), JobControl.label(spec),
                        spec.url().toString()));
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

    /**
     * Parts kept on disk by jobs that wait for a person (failed or paused): the space they hold.
     */
    public record Partials(int jobs, long bytes) {}

    public Partials partials() {
        int jobs = 0;
        long bytes = 0;
        for (JobState waiting : List.of(JobState.FAILED, JobState.PAUSED)) {
            for (Job job : store.inState(waiting)) {
                Path target = targets.pathOf(job);
                try {
                    if (target != null) {
                        var part = Files.readAttributes(Targets.part(target),
                                BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);  // a link is no part of this job's
                        if (part.isRegularFile()) {
                            bytes += part.size();
                            jobs++;
                        }
                    }
                } catch (IOException e) {
                    // no part on disk for this job
                }
            }
        }
        return new Partials(jobs, bytes);
    }

    /** The jobs downloading now, with their progress. */
    public List<ActiveDownload> active() {
        return state.jobs.values().stream().filter(j -> state.isRunning(j.jobId()))
                .map(ActiveDownload::of).sorted(Comparator.comparingLong(ActiveDownload::jobId))
                .toList();
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
        dispatcher.spaceBy(new SpaceWait(gate, store, bus, targets::folder));
    }

    /**
     * Per target that more than one live job claims, the newest supersedes the others: only jobs
     * stored with an older target key than the resolved path (or under another layout) can be in
     * this state. Before the dispatcher starts.
     */
    private void settleContested() {
        List<Job> newest = store.newestOfContested();
        newest.forEach(control::supersedeOthers);
        if (!newest.isEmpty()) {
            log.info(newest.size() + " target(s) were held by more than one job: the newest job"
                    + " of each keeps it");
        }
    }

    /** Stops starting jobs, interrupts the running ones (their parts stay) and waits for them. */
    @Override
    public void close() {
        dispatcher.close();
    }
}
