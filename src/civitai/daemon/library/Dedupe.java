package civitai.daemon.library;

import civitai.daemon.library.index.Found;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.index.Root;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Replaces the copies of one file by hard links to the copy kept, after hashing both again: only
 * on one file system, only in a writable root (a file in a read-only root is never touched), and
 * through a link beside the copy renamed over it, so the path always holds the content. Nothing
 * is deleted that is not replaced. Not thread-safe: the {@link Library} runs one at a time.
 */
public final class Dedupe {
    /** What happened to one path of the group: {@code kept}, {@code linked} or {@code skipped}. */
    public record Action(String path, String action, String reason) {}

    /** The actions, and the bytes the links freed. */
    public record Result(String sha256, String kept, List<Action> actions, long freedBytes) {}

    /** The request cannot be carried out as asked. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final LibraryIndex index;
    private final Library library;

    Dedupe(LibraryIndex index, Library library) {
        this.index = index;
        this.library = library;
    }

    Result run(String sha256, Path keep) throws Refused, IOException {
        List<LibraryFile> group = index.withSha256(sha256);
        LibraryFile kept = group.stream().filter(f -> Path.of(f.path()).equals(keep)).findFirst()
                .orElseThrow(() -> new Refused(keep + " is not a present file of the group "
                        + sha256));
        if (!sha256.equals(new FileHasher().hash(keep, n -> { }, () -> false))) {
            throw new Refused(keep + " changed since it was indexed (its SHA-256 is no longer "
                    + sha256 + "); scan again");
        }
        Object keptKey = key(keep);
        List<Action> actions = new ArrayList<>();
        actions.add(new Action(kept.path(), "kept", null));
        long freed = 0;
        for (LibraryFile f : group) {
            if (f == kept) {
                continue;
            }
            Action a = replace(f, keep, keptKey, sha256);
            actions.add(a);
            freed += a.action().equals("linked") ? f.size() : 0;
        }
        return new Result(sha256, kept.path(), actions, freed);
    }

    private Action replace(LibraryFile f, Path keep, Object keptKey, String sha256)
            throws IOException {
        Path path = Path.of(f.path());
        Root root = library.rootOf(path);
        if (root == null || !root.writable()) {
            return new Action(f.path(), "skipped", "in a read-only library root: never changed");
        }
        if (Objects.equals(key(path), keptKey)) {
            return new Action(f.path(), "skipped", "already a hard link to the kept file");
        }
        if (!Files.getFileStore(path).equals(Files.getFileStore(keep))) {
            return new Action(f.path(), "skipped",
                    "on another file system: a hard link cannot join them");
        }
        if (!sha256.equals(new FileHasher().hash(path, n -> { }, () -> false))) {
            return new Action(f.path(), "skipped", "changed since it was indexed; scan again");
        }
        Path link = path.resolveSibling("." + path.getFileName() + ".dedupe");
        try {
            Files.deleteIfExists(link);
            Files.createLink(link, keep);
            Files.move(link, path, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | UnsupportedOperationException e) {
            Files.deleteIfExists(link);
            return new Action(f.path(), "skipped", "could not link: " + e.getMessage());
        }
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        index.update(f.id(), new Found(path, root, attrs.size(),
                        attrs.lastModifiedTime().toMillis(),
                        attrs.fileKey() == null ? null : attrs.fileKey().toString()),
                sha256, f.modelType());
        return new Action(f.path(), "linked", null);
    }

    private static Object key(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }
}
