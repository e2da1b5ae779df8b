package civitai.daemon.download;

import civitai.daemon.store.Job;
import java.nio.file.Path;

/** Where a job's file and its part live: {@code download_dir/<layout folder>/<filename>[.part]}. */
final class Targets {
    private Targets() {}

    /** The unfinished download beside a target. */
    static Path part(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** The entry's filename, or the one the server gave on an earlier attempt; null if neither. */
    static String knownFilename(Job job) {
        if (job.spec().filename() != null) {
            return job.spec().filename();
        }
        return job.targetPath() == null ? null : Path.of(job.targetPath()).getFileName().toString();
    }

    /** The target once its name is known, else null. */
    static Path of(Job job, Path downloadDir, Layout layout) {
        if (job.targetPath() != null) {
            return Path.of(job.targetPath());
        }
        String name = knownFilename(job);
        return name == null ? null : layout.folder(downloadDir, job.spec().modelType()).resolve(name);
    }
}
