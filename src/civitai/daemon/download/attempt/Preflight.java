package civitai.daemon.download.attempt;

import civitai.daemon.download.part.DiskException;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.part.LocalCopies;
import civitai.daemon.download.part.PartOnDisk;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.rules.Outcome;
import civitai.daemon.target.ReuseMode;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an attempt settles before it fetches a byte: the job's folder is inside download_dir and
 * exists; a file the library already has satisfies the job (linked or copied); what already
 * stands at the target is examined once (the right file completes the job, another is kept or
 * refused as existing_files says); and the part is opened, as its range journal describes it.
 * Thread-safe; each job is prepared by one thread at a time.
 */
final class Preflight {
    private final Targets targets;
    private final Placement placement;
    private final Downloader.Segmenting segmenting;
    private volatile LibraryReuse reuse = new LibraryReuse(LocalCopies.NONE, ReuseMode.OFF);

    Preflight(Targets targets, Placement placement, Downloader.Segmenting segmenting) {
        this.targets = targets;
        this.placement = placement;
        this.segmenting = segmenting;
    }

    void reuseFrom(LibraryReuse reuse) {
        this.reuse = reuse;
    }

    /**
     * Null when the attempt goes on to fetch (with the part open once the target is known); else
     * how it ends before a request: unsafe, satisfied from the library, or the file already there.
     */
    Outcome prepare(QueuedJob job, Downloader.Listener listener) throws DiskException {
        Path folder = targets.folder(job.spec().modelType());
        Outcome unsafe = makeFolder(folder);
        if (unsafe == null) {
            unsafe = Placement.unsafeSubFolder(folder, job.target(folder));
        }
        if (unsafe != null || job.filename() == null) {
            return unsafe;
        }
        Path target = job.target(folder);
        if (job.state().partLength() == 0) {
            Outcome reused = fromLibrary(job, target);
            if (reused != null) {
                return reused;
            }
        }
        return openPart(job, target, listener);
    }

    private Outcome makeFolder(Path folder) throws DiskException {
        Path root = targets.downloadDir();
        if (!folder.startsWith(root) || folder.equals(root)) {
            return new Outcome.Fail("unsafe_path", "model_type leaves download_dir", null, 0);
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw DiskException.of("create folder", folder, e);
        }
        return null;
    }

    /** Done when the library has the file by its SHA-256 and put it at the target. */
    private Outcome fromLibrary(QueuedJob job, Path target) throws DiskException {
        var spec = job.spec();
        var reused = reuse.place(spec.expectedSha256(),
                spec.exactSize() ? spec.expectedSize() : null, target);
        if (reused.isEmpty()) {
            return null;
        }
        job.satisfiedFrom(reused.get().source());
        return new Outcome.Done(reused.get().target(), reused.get().sha256(), reused.get().bytes(),
                false);
    }

    /**
     * Opens the part for a known target; returns Done when the target is already the right file.
     */
    Outcome openPart(QueuedJob job, Path target, Downloader.Listener listener)
            throws DiskException {
        AttemptState state = job.state();
        if (state.firstLookAtTarget()) {
            Outcome present = lookAtTarget(job, target);
            if (present != null) {
                return present;
            }
        }
        if (state.part() == null) {
            Path part = Targets.part(target);
            // a planted link must not take the download's bytes
            if (PartOnDisk.discardUnlessRegular(part)) {
                listener.onWarning(part + " was not a regular file (a link?); it was removed,"
                        + " and the download starts from byte 0");
            }
            PartJournal.open(job, target, segmenting);
        }
        return null;
    }

    /** What stands at the target: the right file is Done, another one may be kept (a failure). */
    private Outcome lookAtTarget(QueuedJob job, Path target) throws DiskException {
        Placement.Found found = Placement.examine(target, job.state().placedHashes());
        if (found == null) {
            return null;
        }
        String expected = job.spec().expectedSha256();
        if (!found.isLink() && (expected == null || expected.equalsIgnoreCase(found.sha256()))) {
            return new Outcome.Done(target, found.sha256(), found.size(), false);
        }
        job.state().found(found);
        return placement.beforeDownload(target, found);
    }
}
