package civitai.daemon.download.attempt;

import civitai.daemon.download.fetch.ContentDisposition;
import civitai.daemon.download.fetch.HttpFetch;
import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.target.SafeName;
import civitai.daemon.target.Targets;
import java.net.URI;
import java.nio.file.Path;

/**
 * A job whose entry names no file takes the name the server gives (Content-Disposition, else the
 * URL's last segment), made safe; its target is claimed through the listener, so two jobs never
 * write one part, and then the part is opened for it. Thread-safe.
 */
final class ServerName {
    private final Targets targets;
    private final Preflight preflight;

    ServerName(Targets targets, Preflight preflight) {
        this.targets = targets;
        this.preflight = preflight;
    }

    /** Null when the job now has its target and an empty part; else how the attempt ends. */
    Outcome take(QueuedJob job, HttpFetch.Response fetched, Downloader.Listener listener)
            throws DiskException {
        String offered = ContentDisposition.filename(
                fetched.response().headers().firstValue("Content-Disposition").orElse(null))
                .orElseGet(() -> lastSegment(fetched.uri()));
        var name = SafeName.sanitise(offered);
        int status = fetched.response().statusCode();
        if (name.isEmpty()) {
            return new Outcome.Fail("bad_filename", "the server's file name \"" + offered
                    + "\" is not usable; set \"filename\" in the entry", status, 0);
        }
        job.named(name.get());
        Path target = job.target(targets.folder(job.spec().modelType()));
        if (!listener.onTarget(targets.at(target))) {
            job.named(null);
            return new Outcome.Fail("target_busy",
                    "the server names the file " + target.getFileName() + ", which"
                    + " another job is downloading to " + target
                    + "; nothing was written. Give this entry its"
                    + " own \"filename\", or retry once the other job is done", status, 0);
        }
        Outcome present = preflight.openPart(job, target, listener);
        if (present != null) {
            return present;
        }
        // a part from an earlier run, but this answer is from byte 0
        if (job.state().partLength() > 0) {
            job.state().part().reset();
        }
        return null;
    }

    private static String lastSegment(URI uri) {
        String path = uri.getPath();
        return path == null ? null : path.substring(path.lastIndexOf('/') + 1);
    }
}
