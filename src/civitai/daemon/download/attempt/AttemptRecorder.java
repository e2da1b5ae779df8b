package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.RetryAfter;
import civitai.daemon.download.part.PartOnDisk;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
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

    private final QueuedJob job;
    private final JobStore store;
    private final EventBus bus;
    private final DaemonLog log;
    private final Predicate<Target> claim;
    private long lastEventNanos;
    private long lastSaveNanos = System.nanoTime();

    /** @param claim takes a target learnt from the server; false when another job holds it */
    public AttemptRecorder(QueuedJob job, JobStore store, EventBus bus, DaemonLog log,
            Predicate<Target> claim) {
        this.claim = claim;
        this.job = job;
        this.store = store;
        this.bus = bus;
        this.log = log;
    }

    public Next run(Downloader downloader, Watchdog watchdog, RetryPolicy policy, Duration stall,
            Duration timeout, Path folder) {
        // a segmented part has holes: its bytes, not its length
        long offset = job.state().part() != null ? job.bytes() : partLength(job.target(folder));
        String host = job.spec().url().getHost();
        long attemptId = store.startAttempt(job.jobId(), host, offset);
        var stored = store.find(job.jobId()).orElseThrow();
        int attempt = stored.attempts();
        int thisRound = stored.attemptsThisRound();
        bus.publish(new Event.Started(job.jobId(), attempt, offset, host));
        AttemptGuard guard = watchdog.watch(Thread.currentThread(), stall, timeout);
        Outcome outcome;
        try {
            outcome = downloader.attempt(job, guard, this);
        } catch (InterruptedException e) {
            store.endAttempt(attemptId, job.bytes() - offset, null, "aborted", "daemon stopping");
            store.saveProgress(job.jobId(), job.bytes(), job.total(), job.state().validator());
            store.setState(job.jobId(), JobState.QUEUED);
            return new Next.Interrupted();
        } catch (DatabaseFull e) {
            // the range journal's write: the disk is full under the database too
            outcome = new Outcome.Fail("disk_full", e.getMessage() + "; the partial download is"
                    + " kept: retry once there is room and it continues from there", null,
                    job.bytes());
        } catch (RuntimeException e) {
            log.error("job " + job.jobId() + ": unexpected error", e);
            outcome = new Outcome.Fail("internal_error", "internal error: " + e, null, job.bytes());
        } finally {
            watchdog.release(guard);
        }
        return record(outcome, attemptId, attempt, thisRound, offset, policy);
    }

    private Next record(Outcome outcome, long attemptId, int attempt, int thisRound, long offset,
            RetryPolicy policy) {
        return switch (outcome) {
            case Outcome.Done d -> {
                store.endAttempt(attemptId, Math.max(0, d.bytes() - offset), 200, "completed",
                        null);
                long ms = Duration.ofNanos(System.nanoTime() - job.startedNanos()).toMillis();
                store.complete(job.jobId(), d.target().toString(), d.sha256(), d.bytes(), ms,
                        d.downloaded(), job.fromLibrary() == null ? null
                        : job.fromLibrary().toString());
                bus.publish(new Event.Completed(job.jobId(), d.target().toString(), d.sha256(),
                        d.bytes(), Duration.ofMillis(ms), d.downloaded()));
                yield new Next.Finished();
            }
            case Outcome.Retry r -> {
                store.endAttempt(attemptId, Math.max(0, r.bytes() - offset), r.status(), "retry",
                        r.message());
                if (!policy.mayRetry(thisRound)) {
                    yield fail(r.code(), r.message() + " (gave up after " + thisRound
                            + " attempts)");
                }
                Duration delay = r.after() != null ? r.after() : policy.backoff(thisRound);
                store.noteRetry(job.jobId(), r.message());
                bus.publish(new Event.Retrying(job.jobId(), attempt, r.message(), delay));
                yield new Next.RetryAfter(delay);
            }
            case Outcome.Fail f -> {
                store.endAttempt(attemptId, Math.max(0, f.bytes() - offset), f.status(), "failed",
                        f.message());
                yield fail(f.code(), f.message());
            }
        };
    }

    private Next fail(String code, String message) {
        store.saveProgress(job.jobId(), job.bytes(), job.total(), job.state().validator());
        store.fail(job.jobId(), code, message);
        bus.publish(new Event.Failed(job.jobId(), code, message));
        return new Next.Finished();
    }

    private static long partLength(Path target) {
        if (target == null) {
            return 0;
        }
        return PartOnDisk.sizeOf(Targets.part(target));
    }

    @Override
    public boolean onTarget(Target target) {
        if (!claim.test(target)) {
            return false;
        }
        store.setTarget(job.jobId(), target.path().toString());
        return true;
    }

    @Override
    public void onResponse(String validator, Long total) {
        store.saveProgress(job.jobId(), job.bytes(), total, validator);
    }

    @Override
    public void onBytes(long bytes, Long total) {
        job.speed().sample(bytes);
        long now = System.nanoTime();
        if (now - lastEventNanos >= EVENT_EVERY_NANOS) {
            lastEventNanos = now;
            ActiveDownload a = ActiveDownload.of(job);
            bus.publish(new Event.Progress(job.jobId(), bytes, total, a.bytesPerSecond(),
                    a.etaSeconds(), a.connections()));
        }
        if (now - lastSaveNanos >= SAVE_EVERY_NANOS) {
            lastSaveNanos = now;
            store.saveProgress(job.jobId(), bytes, total, job.state().validator());
        }
    }

    @Override
    public void onWarning(String message) {
        log.job(DaemonLog.Level.WARN, job.jobId(), "warning", message);
    }

    @Override
    public void onVerifying() {
        store.setState(job.jobId(), JobState.VERIFYING);
        bus.publish(new Event.Verifying(job.jobId()));
    }
}
