package civitai.daemon.library;

import civitai.daemon.library.index.Found;
import civitai.daemon.library.index.Root;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Finds the model files under a root. Symbolic links are followed only while they lead inside
 * one of the roots; a link out of them, or a loop, is reported and skipped. Models are files with
 * a model's extension: {@code .part} files, sidecars ({@code .civitai.json}) and previews are not.
 * Not thread-safe (one per walk).
 */
final class Walker {
    /** The extensions model files have; everything else beside them is not a model. */
    static final Set<String> MODEL_EXTENSIONS =
            Set.of("safetensors", "sft", "ckpt", "pt", "pth", "bin", "gguf", "onnx");

    /** A path the walk refused, and why. */
    record Skipped(Path path, String reason) {}

    private final List<Root> roots;
    private final List<Path> realRoots = new ArrayList<>();
    private final BooleanSupplier cancelled;
    final List<Found> found = new ArrayList<>();
    // hashers add too
    final List<Skipped> skipped = Collections.synchronizedList(new ArrayList<>());

    Walker(List<Root> roots, BooleanSupplier cancelled) {
        this.roots = roots;
        this.cancelled = cancelled;
        for (Root r : roots) {
            try {
                realRoots.add(r.path().toRealPath());
            } catch (IOException e) {
                realRoots.add(r.path());  // a root that is not there has nothing under it
            }
        }
    }

    static boolean isModel(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot > 0 && MODEL_EXTENSIONS.contains(name.substring(dot + 1));
    }

    void walk(Root root) throws IOException {
        if (root.writable() && !Files.exists(root.path())) {
            return;  // download_dir before the first download: nothing to index yet
        }
        if (!Files.isDirectory(root.path())) {
            skipped.add(new Skipped(root.path(), "the root is not a folder"));
            return;
        }
        Files.walkFileTree(root.path(), EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (cancelled.getAsBoolean()) {
                            return FileVisitResult.TERMINATE;
                        }
                        // a root inside this one is indexed as itself (read-only stays read-only)
                        boolean otherRoot = !dir.equals(root.path())
                                && roots.stream().anyMatch(r ->
                                        r.path().equals(dir.toAbsolutePath().normalize()));
                        return otherRoot || outside(dir) ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() && isModel(file) && !outside(file)) {
                            found.add(new Found(file, root, attrs.size(),
                                    attrs.lastModifiedTime().toMillis(),
                                    attrs.fileKey() == null ? null : attrs.fileKey().toString()));
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        skipped.add(new Skipped(file, e instanceof FileSystemLoopException
                                ? "a symbolic link loop" : "cannot be read: " + e.getMessage()));
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    /** A link whose target is outside every root: reported, not followed. */
    private boolean outside(Path p) {
        if (!Files.isSymbolicLink(p)) {
            return false;
        }
        try {
            Path real = p.toRealPath();
            if (realRoots.stream().anyMatch(real::startsWith)) {
                return false;
            }
            skipped.add(new Skipped(p, "a symbolic link out of the library's roots (to " + real
                    + ")"));
        } catch (IOException e) {
            skipped.add(new Skipped(p, "a broken symbolic link"));
        }
        return true;
    }

    List<Root> roots() {
        return roots;
    }
}
