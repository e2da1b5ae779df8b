package civitai.daemon.download;

import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.attempt.QueuedJob;
import civitai.daemon.download.part.Placement;
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
import java.time.Duration;
import java.util.Arrays;

/**
 * The state machine of what a user may do to a job — pause, resume, cancel, retry, delete,
 * reprioritize — and from which states, and the rule that a target belongs to one live job: a
 * newer job for the same resolved file (its {@code Target}) supersedes the older ones. A job no
 * worker runs changes at once; a running one is
 * asked to stop (its worker is interrupted) and the change is applied when the worker ends
 * ({@link #afterWorker}). Thread-safe: everything happens under the shared {@link QueueState} lock.
 */
final class JobControl {
    /**
     * How long a pause or cancel waits for the worker to stop before answering with the state as it
     * is.
     */
    static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final QueueState state;
    private final JobStore store;
    private final EventBus bus;
    private final DaemonLog log;
    private final Downloader downloader;
    private final Duration stopGrace;

    JobControl(QueueState state, JobStore store, EventBus bus, DaemonLog log, Downloader downloader,
            Duration stopGrace) {
        this.stopGrace = stopGrace;
        this.state = state;
        this.store = store;
        this.bus = bus;
        this.log = log;
        this.downloader = downloader;
    }

    /**
     * A superseded job asked for again takes its target back: queued anew, the others superseded.
     */
    Job reclaim(long id) {
        state.lock.lock();
        try {
            Job job = allowed(existing(id), "reclaim", JobState.SUPERSEDED);
            store.requeue(id);
            bus.publish(new Event.Queued(id, label(job.spec()), job.spec().url().toString()));
            Job queued = existing(id);
            supersedeOthers(queued);
            state.changed.signalAll();
            return queued;
        } finally {
            state.lock.unlock();
        }
    }

    /** A pause or cancel of a running job has not taken effect yet when this is true. */
    boolean stillRunning(long id) {
        return state.isRunning(id);
    }

    Job pause(long id) {
        return stop(id, "pause", QueueState.Stop.PAUSE, JobState.QUEUED, JobState.DOWNLOADING,
                JobState.VERIFYING);
    }

    Job cancel(long id) {
        return stop(id, "cancel", QueueState.Stop.CANCEL, JobState.QUEUED, JobState.DOWNLOADING,
                JobState.VERIFYING, JobState.PAUSED, JobState.FAILED, JobState.WAITING_SPACE);
    }

    /**
     * Removes a job; with {@code deleteFile}, also its file, but only while that file is the one
     * this job verified (a newer job, or a person, may have put another one there): else a
     * {@link JobConflict} saying why, and nothing is removed.
     */
    boolean delete(long id, boolean deleteFile) {
        Job job = existing(id);
        boolean hasFile = deleteFile && checkFileIsOurs(job);
        stop(id, "delete", deleteFile ? QueueState.Stop.DELETE_WITH_FILE : QueueState.Stop.DELETE,
                JobState.values());
        return hasFile && !Files.exists(Path.of(job.targetPath()));
    }

    /**
     * True when the job's file is there and is the one it verified; a conflict when another file
     * is.
     */
    private static boolean checkFileIsOurs(Job job) {
        if (job.targetPath() == null || job.sha256() == null
                || !Files.isRegularFile(Path.of(job.targetPath()), LinkOption.NOFOLLOW_LINKS)) {
            return false;  // no file of this job's to delete
        }
        String actual;
        try {
            actual = Placement.sha256Of(Path.of(job.targetPath()));
        } catch (IOException e) {
            throw new JobConflict(job.id(), "delete_file", job.state(),
                    "cannot read " + job.targetPath() + " to check it is this job's file ("
                    + e.getMessage() + "); it was left as it is");
        }
        if (!actual.equalsIgnoreCase(job.sha256())) {
            throw new JobConflict(job.id(), "delete_file", job.state(),
                    job.targetPath() + " is not the file job " + job.id()
                    + " verified (it has sha256 " + actual + ", the job verified " + job.sha256()
                    + "): another job or a person put it there, so it was kept. Remove"
                    + " the job without delete_file");
        }
        return true;
    }

    /**
     * A new job claims {@code newer}'s target: every other job on it is superseded (a running one
     * is stopped, its part removed; a completed one keeps its record, and its file stays until the
     * newer job replaces it).
     */
    void supersedeOthers(Job newer) {
        state.lock.lock();
        try {
            for (Job older : store.otherClaims(newer)) {
                Thread worker = state.running.get(older.id());
                if (worker == null) {
                    apply(QueueState.Stop.SUPERSEDE, older);
                } else {
                    // a delete or cancel already asked for ends the job too, and stands; a pause
                    // does not
                    state.stopRequests.merge(older.id(), QueueState.Stop.SUPERSEDE,
                            (asked, supersede) -> asked == QueueState.Stop.PAUSE ? supersede
                            : asked);
                    state.supersededBy.put(older.id(), newer.id());
                    worker.interrupt();
                }
                state.supersededBy.putIfAbsent(older.id(), newer.id());
            }
        } finally {
            state.lock.unlock();
        }
    }

    Job resume(long id) {
        return requeue(id, "resume", JobState.PAUSED);
    }

    Job retry(long id) {
        return requeue(id, "retry", JobState.FAILED, JobState.CANCELLED);
    }

    Job reprioritize(long id, int priority) {
        state.lock.lock();
        try {
            existing(id);
            store.setPriority(id, priority);
            state.changed.signalAll();
            return existing(id);
        } finally {
            state.lock.unlock();
        }
    }

    private Job requeue(long id, String action, JobState... from) {
        state.lock.lock();
        try {
            Job job = allowed(existing(id), action, from);
            if (job.state() == JobState.PAUSED) {
                store.setState(id, JobState.QUEUED);
            } else {
                store.requeue(id);
            }
            state.notBeforeNanos.remove(id);
            bus.publish(new Event.Queued(id, label(job.spec()), job.spec().url().toString()));
            state.changed.signalAll();
            return existing(id);
        } finally {
            state.lock.unlock();
        }
    }

    private Job stop(long id, String action, QueueState.Stop stop, JobState... from) {
        Thread worker;
        state.lock.lock();
        try {
            Job job = allowed(existing(id), action, from);
            worker = state.running.get(id);
            if (worker == null) {
                apply(stop, job);
                return stop == QueueState.Stop.PAUSE || stop == QueueState.Stop.CANCEL
                        ? existing(id) : job;
            }
            state.stopRequests.put(id, stop);
            worker.interrupt();
        } finally {
            state.lock.unlock();
        }
        try {
            worker.join(stopGrace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return store.find(id).orElse(null);
    }

    /**
     * A worker ended; applies what a user asked of it meanwhile. Returns true when a stop was
     * applied (the attempt's own result no longer counts). Called under the lock.
     */
    boolean afterWorker(long jobId, boolean finished) {
        QueueState.Stop stop = state.stopRequests.remove(jobId);
        if (stop == QueueState.Stop.SUPERSEDE && finished) {
            // it completed first: it still hands over
            store.find(jobId).ifPresent(job -> apply(stop, job));
            return false;
        }
        if (stop == null || finished) {
            return false;
        }
        store.find(jobId).ifPresent(job -> apply(stop, job));
        return true;
    }

    private Job existing(long id) {
        return store.find(id).orElseThrow(() -> new NoSuchJob(id));
    }

    private static Job allowed(Job job, String action, JobState... from) {
        if (!Arrays.asList(from).contains(job.state())) {
            throw new JobConflict(job.id(), action, job.state());
        }
        return job;
    }

    /** Carries out a stop on a job that no worker runs; called under the lock. */
    private void apply(QueueState.Stop stop, Job job) {
        long id = job.id();
        QueuedJob queued = state.jobs.get(id);
        switch (stop) {
            case PAUSE -> {
                store.setState(id, JobState.PAUSED);
                bus.publish(new Event.Paused(id));
                return;  // the job keeps its hash state for the resume
            }
            case CANCEL -> {
                store.setState(id, JobState.CANCELLED);
                bus.publish(new Event.Cancelled(id));
            }
            case SUPERSEDE -> {
                store.setState(id, JobState.SUPERSEDED);
                Long by = state.supersededBy.remove(id);
                bus.publish(new Event.Superseded(id, by == null ? 0 : by));
            }
            case DELETE, DELETE_WITH_FILE -> {
                store.delete(id);
                if (stop == QueueState.Stop.DELETE_WITH_FILE && job.targetPath() != null
                        && job.sha256() != null && (job.state() == JobState.COMPLETED
                                || job.state() == JobState.SUPERSEDED)) {
                    deleteQuietly(Path.of(job.targetPath()));
                }
            }
        }
        state.jobs.remove(id);
        state.notBeforeNanos.remove(id);
        if (queued != null) {
            queued.settle();
        }
        Path target = downloader.targets().pathOf(job);
        boolean ownsPart = job.state() != JobState.COMPLETED && job.state() != JobState.SUPERSEDED
                && !state.busyTargets.contains(downloader.targets().busyKey(job));
        if (ownsPart && target != null) {
            deleteQuietly(Targets.part(target));
        }
    }

    private void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete " + file + ": " + e.getMessage());
        }
    }

    static String label(JobSpec spec) {
        return spec.modelType() + "/" + (spec.filename() == null ? "(name from server)"
                : spec.filename());
    }
}
