package civitai.daemon.download.attempt;

import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.PartFile;
import civitai.daemon.download.part.PartOnDisk;
import civitai.daemon.download.retry.AttemptGuard;
import civitai.daemon.download.rules.Outcome;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * How an attempt that ended in an exception ends: a disk failure fails the job (its part kept), a
 * network failure or the watchdog's abort is a retry, and a stop, pause or cancel (an interrupt
 * the watchdog did not make) propagates, whichever of them closed the file or the connection.
 */
final class AttemptEnd {
    private AttemptEnd() {}

    static Outcome disk(QueuedJob job, AttemptGuard guard, DiskException e)
            throws InterruptedException {
        if (!(e.getCause() instanceof ClosedByInterruptException)
                && !Thread.currentThread().isInterrupted()) {
            return diskFailure(job, e);
        }
        // an interrupt closed the file: a stop, not a disk fault
        return interrupted(job, guard, e);
    }

    static Outcome network(QueuedJob job, AttemptGuard guard, IOException e)
            throws InterruptedException {
        AttemptGuard.Abort abort = guard.abort();
        if (abort == null && Thread.currentThread().isInterrupted()) {
            // shutdown, not the network
            throw new InterruptedException("stopped while " + describe(e));
        }
        return abort != null ? abort.retry(job.bytes())
                : new Outcome.Retry("network_error", describe(e), null, null, job.bytes());
    }

    /** The watchdog's abort is a retry; any other interrupt (stop, pause, cancel) propagates. */
    static Outcome interrupted(QueuedJob job, AttemptGuard guard, Exception cause)
            throws InterruptedException {
        AttemptGuard.Abort abort = guard.abort();
        if (abort == null) {
            InterruptedException stop = new InterruptedException("stopped");
            stop.initCause(cause);
            throw stop;
        }
        return abort.retry(job.bytes());
    }

    /**
     * A disk failure fails the job; its part stays for the retry, and the reason says how big it
     * is. One rule for one connection and for segments, so a full disk is always disk_full.
     */
    static Outcome.Fail diskFailure(QueuedJob job, DiskException e) {
        PartFile part = job.state().part();
        long kept = part == null ? 0 : PartOnDisk.sizeOf(part.path());
        String message = e.getMessage()
                + (kept > 0 ? "; the partial download (" + kept + " bytes in " + part.path()
                + ") is kept: free some space, then retry and it continues from there" : "");
        return new Outcome.Fail(e.isDiskFull() ? "disk_full" : "disk_error", message, null,
                job.bytes());
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
