package civitai.daemon.events;

import civitai.daemon.log.DaemonLog.Level;
import civitai.daemon.log.DaemonLog;

/**
 * Writes every job event but progress to logs/download.log (and failures to error.log), and the
 * end of each library scan.
 */
public final class JobLog {
    private final DaemonLog log;

    public JobLog(DaemonLog log) {
        this.log = log;
    }

    public void on(Event event) {
        switch (event) {
            case Event.Queued q -> log.job(q.jobId(), "queued", q.target() + " from " + q.url());
            case Event.Started s -> log.job(s.jobId(), "started",
                    "attempt " + s.attempt() + " from " + s.host()
                    + (s.offset() > 0 ? ", resuming at byte " + s.offset() : ""));
            case Event.Progress p -> { } // too frequent for a log; /api/status and SSE carry it
            case Event.Retrying r -> log.job(Level.WARN, r.jobId(), "retry",
                    "attempt " + r.attempt() + " failed (" + r.reason() + "), next in "
                    + r.delay().toMillis() / 1000.0 + " s");
            case Event.Verifying v -> log.job(v.jobId(), "verifying", "checking SHA-256");
            case Event.Completed c -> log.job(c.jobId(), "completed", c.path() + " " + c.bytes()
                    + " bytes sha256=" + c.sha256() + (c.downloaded()
                            ? " in " + c.took().toMillis() / 1000.0 + " s"
                            : " (already present, not downloaded)"));
            case Event.Failed f -> log.job(Level.ERROR, f.jobId(), "failed",
                    f.reason() + ": " + f.message());
            case Event.Cancelled c -> log.job(c.jobId(), "cancelled", "by request");
            case Event.Paused p -> log.job(p.jobId(), "paused", "by request");
            case Event.WaitingSpace w -> log.job(Level.WARN, w.jobId(), "waiting_space",
                    w.message());
            case Event.Superseded s -> log.job(s.jobId(), "superseded", "job " + s.byJobId()
                    + " now owns the same file");
            case Event.ModelUpdate u -> { } // the update checker logs it, with what changed
            case Event.ModelUpdateError e -> { } // the update checker logs it as a warning
            case Event.ScanProgress p -> { }
            case Event.ScanFinished f -> log.info("library scan "
                    + (f.cancelled() ? "cancelled" : "done") + ": " + f.files() + " file(s), "
                    + f.hashed() + " hashed, " + f.missing() + " missing, " + f.skipped()
                    + " skipped, in " + f.took().toMillis() / 1000.0 + " s");
        }
    }
}
