package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.RetryAfter;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Target;
import civitai.daemon.target.Targets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Records one attempt ({@link Downloader}'s) of one job on its worker thread: opens it in the
 * store, reports its progress (events at most 4 a second, the database every 2 seconds), and
 * records its {@link Outcome}, deciding between retry and failure with the {@link RetryPolicy}.
 */
public final class AttemptRecorder implements Downloader.Listener {
    private static final long EVENT_EVERY_NANOS = 250_000_000L;
    private static final long SAVE_EVERY_NANOS = 2_000_000_000L;

    /** What the queue does with the job after this attempt. */
    public sealed interface Next {
        record Finished() implements Next {}

        record RetryAfter(Duration delay) implements Next {}

        record Interrupted() implements Next {}
    }

    private final DownloadTask task;
    private final JobStore store;
    private final EventBus bus;
    private final DaemonLog log;
    private final Predicate<Target> claim;
    private long lastEventNanos;
    private long lastSaveNanos = System.nanoTime();

    /** @param claim takes a target learnt from the server; false when another job holds it */
    public AttemptRecorder(DownloadTask task, JobStore store, EventBus bus, DaemonLog log, Predicate<Target> claim) {
        this.claim = claim;
        this.task = task;
        this.store = store;
        this.bus = bus;
        this.log = log;
    }

    public Next run(Downloader downloader, Watchdog watchdog, RetryPolicy policy, Duration stall, Duration timeout,
            Path folder) {
        long offset = task.part != null ? task.bytes() : partLength(task.target(folder));  // a segmented part has holes
        String host = task.spec.url().getHost();
        long attemptId = store.startAttempt(task.jobId, host, offset);
        var job = store.find(task.jobId).orElseThrow();
        int attempt = job.attempts();
        int thisRound = job.attemptsThisRound();
        bus.publish(new Event.Started(task.jobId, attempt, offset, host));
        AttemptGuard guard = watchdog.watch(Thread.currentThread(), stall, timeout);
        Outcome outcome;
        try {
            outcome = downloader.attempt(task, guard, this);
        } catch (InterruptedException e) {
            store.endAttempt(attemptId, task.bytes() - offset, null, "aborted", "daemon stopping");
            store.saveProgress(task.jobId, task.bytes(), task.total, task.validator);
            store.setState(task.jobId, JobState.QUEUED);
            return new Next.Interrupted();
        } catch (DatabaseFull e) {  // the range journal's write: the disk is full under the database too
            outcome = new Outcome.Fail("disk_full", e.getMessage() + "; the partial download is kept: retry once"
                    + " there is room and it continues from there", null, task.bytes());
        } catch (RuntimeException e) {
            log.error("job " + task.jobId + ": unexpected error", e);
            outcome = new Outcome.Fail("internal_error", "internal error: " + e, null, task.bytes());
        } finally {
            watchdog.release(guard);
        }
        return record(outcome, attemptId, attempt, thisRound, offset, policy);
    }

    private Next record(Outcome outcome, long attemptId, int attempt, int thisRound, long offset,
            RetryPolicy policy) {
        return switch (outcome) {
            case Outcome.Done d -> {
                store.endAttempt(attemptId, Math.max(0, d.bytes() - offset), 200, "completed", null);
                long ms = Duration.ofNanos(System.nanoTime() - task.startedNanos).toMillis();
                store.complete(task.jobId, d.target().toString(), d.sha256(), d.bytes(), ms, d.downloaded(),
                        task.fromLibrary == null ? null : task.fromLibrary.toString());
                bus.publish(new Event.Completed(task.jobId, d.target().toString(), d.sha256(), d.bytes(),
                        Duration.ofMillis(ms), d.downloaded()));
                yield new Next.Finished();
            }
            case Outcome.Retry r -> {
                store.endAttempt(attemptId, Math.max(0, r.bytes() - offset), r.status(), "retry", r.message());
                if (!policy.mayRetry(thisRound)) {
                    yield fail(r.code(), r.message() + " (gave up after " + thisRound + " attempts)");
                }
                Duration delay = r.after() != null ? r.after() : policy.backoff(thisRound);
                store.noteRetry(task.jobId, r.message());
                bus.publish(new Event.Retrying(task.jobId, attempt, r.message(), delay));
                yield new Next.RetryAfter(delay);
            }
            case Outcome.Fail f -> {
                store.endAttempt(attemptId, Math.max(0, f.bytes() - offset), f.status(), "failed", f.message());
                yield fail(f.code(), f.message());
            }
        };
    }

    private Next fail(String code, String message) {
        store.saveProgress(task.jobId, task.bytes(), task.total, task.validator);
        store.fail(task.jobId, code, message);
        bus.publish(new Event.Failed(task.jobId, code, message));
        return new Next.Finished();
    }

    private static long partLength(Path target) {
        if (target == null) {
            return 0;
        }
        return PartFile.sizeOf(Targets.part(target));
    }

    @Override
    public boolean onTarget(Target target) {
        if (!claim.test(target)) {
            return false;
        }
        store.setTarget(task.jobId, target.path().toString());
        return true;
    }

    @Override
    public void onResponse(String validator, Long total) {
        store.saveProgress(task.jobId, task.bytes(), total, validator);
    }

    @Override
    public void onBytes(long bytes, Long total) {
        task.speed.sample(bytes);
        long now = System.nanoTime();
        if (now - lastEventNanos >= EVENT_EVERY_NANOS) {
            lastEventNanos = now;
            ActiveDownload a = ActiveDownload.of(task);
            bus.publish(new Event.Progress(task.jobId, bytes, total, a.bytesPerSecond(), a.etaSeconds(),
                    a.connections()));
        }
        if (now - lastSaveNanos >= SAVE_EVERY_NANOS) {
            lastSaveNanos = now;
            store.saveProgress(task.jobId, bytes, total, task.validator);
        }
    }

    @Override
    public void onWarning(String message) {
        log.job(DaemonLog.Level.WARN, task.jobId, "warning", message);
    }

    @Override
    public void onVerifying() {
        store.setState(task.jobId, JobState.VERIFYING);
        bus.publish(new Event.Verifying(task.jobId));
    }
}
