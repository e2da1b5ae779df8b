package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.BodyStream;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.fetch.host.HostSlots;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.retry.ResponseCheck;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.download.segment.PartCheckpoints;
import civitai.daemon.download.segment.RangeTransfer;
import civitai.daemon.download.segment.Segment;
import civitai.daemon.download.segment.SegmentPlan;
import civitai.daemon.store.journal.RangeJournal;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one file over several connections to the same URL, each a Range request for one
 * {@link Segment}, written at their offsets into the one part. Each connection has its own stall
 * watch; a dropped or stalled connection resumes its segment; what an answer that is not the
 * segment means for the others is {@link SegmentRequest}'s. What the part holds is journalled as
 * it goes ({@link PartCheckpoints}). One instance per attempt; its methods run on the attempt's
 * thread.
 */
final class SegmentedDownload {
    /**
     * How a segmented attempt ended early; {@code resetPart}: the bytes so far are not this file's.
     */
    record End(Outcome outcome, boolean resetPart, boolean singleConnection) {}

    private static final int FAILURES_PER_SEGMENT = 4;

    /** What every connection needs. */
    record Tools(HttpFetch http, ResponseCheck check, RangeTransfer transfer, Watchdog watchdog,
            HostSlots slots, RetryPolicy policy, RangeJournal journal, Duration stall,
            Duration timeout, long minSegmentSize) {}

    private final Tools tools;
    private final QueuedJob job;
    private final PartFile part;
    private final SegmentPlan<End> plan;
    private final AttemptGuard attempt;
    private final Downloader.Listener listener;
    private final Object progressLock = new Object();
    private final List<Thread> threads = new ArrayList<>();
    private final PartCheckpoints checkpoints;
    private final SegmentRequest request;

    SegmentedDownload(Tools tools, QueuedJob job, SegmentPlan<End> plan, AttemptGuard attempt,
            Downloader.Listener listener) {
        this.tools = tools;
        this.job = job;
        this.part = job.state().part();
        this.plan = plan;
        this.attempt = attempt;
        this.listener = listener;
        this.checkpoints = new PartCheckpoints(tools.journal(), job.jobId(), job.state().part(),
                plan);
        this.request = new SegmentRequest(tools, job, plan, attempt);
    }

    /**
     * Runs up to {@code connections} connections until every segment is written or the plan ends;
     * the first continues {@code firstBody} (null: it opens its own request). Returns null when the
     * part is complete, else how the attempt ended.
     */
    End run(int connections, Segment first, BodyStream firstBody, boolean firstHasSlot)
            throws InterruptedException {
        handOver(firstBody, firstHasSlot);
        plan.join();
        threads.add(Thread.ofVirtual().name("job-" + job.jobId() + "-seg0")
                .start(() -> connection(first, firstBody, 0)));
        for (int i = 1; i < connections; i++) {
            int index = i;
            if (!tools.slots().tryTake(plan.url())) {
                break;
            }
            if (!plan.join()) {
                tools.slots().release(plan.url());
                break;
            }
            threads.add(Thread.ofVirtual().name("job-" + job.jobId() + "-seg" + i)
                    .start(() -> connection(null, null, index)));
        }
        awaitConnections();
        if (!plan.complete()) {
            checkpoints.finalQuietly();  // what this attempt got stays for the next one
        }
        return plan.complete() ? null : plan.ended() != null ? plan.ended()
                : new End(new Outcome.Retry("incomplete", "connections ended before the file was"
                        + " complete", null, null, part.bytes()), false, false);
    }

    /**
     * The first connection takes the open answer, with a host slot; until then the body is ours to
     * close.
     */
    private void handOver(BodyStream firstBody, boolean firstHasSlot) throws InterruptedException {
        try {
            checkpoints.record();
        } catch (RuntimeException e) {  // the database failed: the first answer is nobody's yet
            firstBody.close();
            if (firstHasSlot) {
                tools.slots().release(plan.url());
            }
            throw e;
        }
        if (!firstHasSlot) {
            try {
                tools.slots().takeFirst(plan.url(), tools.stall());
            } catch (InterruptedException e) {
                firstBody.close();
                throw e;
            }
        }
    }

    /** Waits for every connection, checkpointing the part meanwhile; a stop ends them all. */
    private void awaitConnections() throws InterruptedException {
        job.connections(plan.running());
        checkpoints.start();
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            stopAll();
            throw e;
        } finally {
            job.connections(0);
            checkpoints.stop();
        }
    }

    /** A stop of the attempt (pause, cancel, shutdown, its timeout): every connection ends now. */
    private void stopAll() {
        plan.end(new End(new Outcome.Retry("stopped", "stopped", null, null, part.bytes()), false,
                false));
        threads.forEach(Thread::interrupt);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException again) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One connection: segments one after another until none is left, the plan ends, or it is
     * halved.
     */
    private void connection(Segment first, BodyStream body, int index) {
        URI slotHost = plan.url();
        Segment segment = first;
        try {
            int failures = 0;
            while (plan.ended() == null) {
                if (segment == null || segment.finished()) {
                    segment = plan.next();
                    failures = 0;
                    if (segment == null) {
                        return;
                    }
                }
                if (plan.overLimit() || (index > 0 && tools.slots().wanted(slotHost))) {
                    // halved, or another download waits for this host: the segment goes back
                    return;
                }
                if (body == null && (body = request.open(segment)) == null) {
                    giveUpAfter(++failures, "a segment of the file failed ");
                    continue;
                }
                failures = copy(segment, body, index) ? 0 : failures + 1;
                body.close();
                body = null;
                giveUpAfter(failures, "a segment's connection failed ");
            }
        } catch (DiskException e) {
            plan.end(new End(AttemptEnd.diskFailure(job, e), false, false));
        } catch (InterruptedException e) {
            // the attempt is stopping: stopAll() ended the plan
        } finally {
            if (body != null) {
                body.close();
            }
            plan.leave(segment);
            tools.slots().release(slotHost);
            job.connections(plan.running());
        }
    }

    /** Too many failures in a row on one segment end the attempt. */
    private void giveUpAfter(int failures, String what) {
        if (failures > FAILURES_PER_SEGMENT) {
            plan.end(new End(new Outcome.Retry("network_error", what + failures + " times", null,
                    null, part.bytes()), false, false));
        }
    }

    /**
     * Copies one answer into its segment with a stall watch and a writer of its own (a stall's
     * interrupt closes the writer's channel); returns false when the connection dropped or stalled
     * (the segment continues from where it stopped).
     */
    private boolean copy(Segment segment, BodyStream body, int index)
            throws DiskException, InterruptedException {
        URI host = plan.url();
        AttemptGuard guard = tools.watchdog()
                .watch(Thread.currentThread(), tools.stall(), tools.timeout());
        try (PartFile.Writer out = part.writer()) {
            tools.transfer().copy(body, out, segment,
                    () -> index == 0 || !tools.slots().wanted(host), () -> {
                guard.onActivity();
                attempt.onActivity();
            }, n -> {
                progress();
                checkpoints.maybe();
            });
            // else it ended early
            return segment.finished() || (index > 0 && tools.slots().wanted(host));
        } catch (IOException | InterruptedException e) {
            if (guard.abort() != null) {
                return false;  // stalled: this connection starts over from where it stopped
            }
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            if (e instanceof DiskException d
                    && !(d.getCause() instanceof ClosedByInterruptException)) {
                throw d;
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped");
            }
            return false;
        } finally {
            tools.watchdog().release(guard);
        }
    }

    private void progress() {
        synchronized (progressLock) {
            listener.onBytes(part.bytes(), job.total());
        }
    }
}
