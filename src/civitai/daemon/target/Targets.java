package civitai.daemon.target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/**
 * Resolves where files go: {@code download_dir/<layout folder>/<filename>} as a {@link Target},
 * its key case-folded when download_dir's file system folds case (told once, at construction).
 * Immutable and thread-safe.
 */
public final class Targets {
    private final Path downloadDir;
    private final Layout layout;
    private final boolean foldsCase;

    /**
     * @param foldsCase whether {@code Model.safetensors} and {@code model.safetensors} are one file
     *                  here
     */
    public Targets(Path downloadDir, Layout layout, boolean foldsCase) {
        this.downloadDir = downloadDir.toAbsolutePath().normalize();
        this.layout = layout;
        this.foldsCase = foldsCase;
    }

    /** Resolves under {@code downloadDir}, asking its file system once whether it folds case. */
    public static Targets probing(Path downloadDir, Layout layout) {
        return new Targets(downloadDir, layout, foldsCase(downloadDir));
    }

    public Path downloadDir() {
        return downloadDir;
    }

    /** The folder files of {@code modelType} (a safe single segment) go to. */
    public Path folder(String modelType) {
        return layout.folder(downloadDir, modelType).normalize();
    }

    /** The target of a file named {@code filename} (a safe single segment) of {@code modelType}. */
    public Target in(String modelType, String filename) {
        return at(folder(modelType).resolve(filename));
    }

    /** The target at {@code path}, wherever a job recorded its file. */
    public Target at(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        String key = normal.toString();
        return new Target(normal, foldsCase ? key.toLowerCase(Locale.ROOT) : key);
    }

    /**
     * The key of a job's target: from its recorded path when it has one, else from its type and
     * name; null while neither name nor path is known.
     */
    public String key(String modelType, String filename, String targetPath) {
        if (targetPath != null) {
            return at(Path.of(targetPath)).key();
        }
        return filename == null ? null : in(modelType, filename).key();
    }

    /** The unfinished download beside a target. */
    public static Path part(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /**
     * Whether {@code dir}'s file system takes two names that differ only in case for one file:
     * a probe file is made in it (or, while it does not exist yet, in its nearest existing
     * parent) and looked for under its upper-case name. A folder that cannot be probed is taken
     * as case-sensitive (Linux's default).
     */
    static boolean foldsCase(Path dir) {
        Path existing = dir.toAbsolutePath().normalize();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return false;
        }
        Path probe = existing.resolve(".case-probe-" + UUID.randomUUID() + ".tmp");
        try {
            Files.createFile(probe);
            try {
                return Files.exists(existing.resolve(probe.getFileName().toString()
                        .toUpperCase(Locale.ROOT)));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            return false;
        }
    }
}
