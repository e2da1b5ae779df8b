package civitai.daemon.download.rules;

import civitai.daemon.store.jobs.Job;
import civitai.daemon.target.Target;
import civitai.daemon.target.Targets;
import java.nio.file.Path;

/**
 * A stored job's {@link Target}: the recorded path once it has one, else its layout folder and
 * file name. The queue's busy set, the attempt's claim and the store's supersede rule all use the
 * target's key. Immutable and thread-safe.
 */
public final class JobTargets {
    private final Targets targets;

    public JobTargets(Targets targets) {
        this.targets = targets;
    }

    public Targets targets() {
        return targets;
    }

    /** The entry's filename, or the one the server gave on an earlier attempt; null if neither. */
    public static String knownFilename(Job job) {
        if (job.spec().filename() != null) {
            return job.spec().filename();
        }
        return job.targetPath() == null ? null : Path.of(job.targetPath()).getFileName().toString();
    }

    /** The folder a job of {@code modelType} goes to. */
    public Path folder(String modelType) {
        return targets.folder(modelType);
    }

    /**
     * Where a stored job's file (and beside it its part) lives, or null while its name is unknown.
     */
    public Path pathOf(Job job) {
        Target target = of(job);
        return target == null ? null : target.path();
    }

    /** The target once its name is known, else null. */
    public Target of(Job job) {
        if (job.targetPath() != null) {
            return targets.at(Path.of(job.targetPath()));
        }
        return job.spec().filename() == null ? null
                : targets.in(job.spec().modelType(), job.spec().filename());
    }

    /**
     * What two jobs that must not run together share: the target's key, or while the name is
     * unknown the folder and URL (the server names both files alike).
     */
    public String busyKey(Job job) {
        Target target = of(job);
        return target != null ? target.key()
                : "url:" + targets.folder(job.spec().modelType()) + " " + job.spec().url();
    }
}
