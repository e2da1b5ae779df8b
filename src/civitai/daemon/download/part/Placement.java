package civitai.daemon.download.part;

import civitai.daemon.download.rules.Outcome;
import civitai.daemon.target.ExistingFiles;
import civitai.daemon.target.SubFolders;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Set;

/**
 * The last step of every download, and the only code that puts a file at a target:
 * verify → fsync → atomic rename into the target ({@link #place}). A part whose hash is not the
 * expected one is discarded and never moved. A file already at the target is replaced only when
 * this daemon put it there (its hash is one a job of this target verified) or when
 * {@code existing_files} allows: {@code keep} (the default) fails the job {@code target_exists}
 * and touches nothing, {@code backup} renames it aside to {@code <stem>.replaced-<UTC date><ext>}
 * first, {@code replace} replaces it. A link at the target is never followed: it is such a file,
 * one this daemon did not put there, and is moved aside or replaced as itself. Thread-safe
 * (stateless).
 */
public final class Placement {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    /**
     * A file found at the target before the download, with its hash; {@code ours} when a job of
     * this target verified that hash. The size and time tell at the end whether it is still that
     * file. A link has no hash (null): what it points to is never read.
     */
    public record Found(String sha256, long size, FileTime modified, boolean ours) {
        static Found link(BasicFileAttributes link) {
            return new Found(null, link.size(), link.lastModifiedTime(), false);
        }

        public boolean isLink() {
            return sha256 == null;
        }

        boolean isStill(Path target) {
            try {
                BasicFileAttributes now = Files.readAttributes(target, BasicFileAttributes.class,
                        NOFOLLOW);
                return now.size() == size && now.lastModifiedTime().equals(modified);
            } catch (IOException e) {
                return false;
            }
        }
    }

    private final ExistingFiles rule;
    private final Clock clock;

    public Placement(ExistingFiles rule, Clock clock) {
        this.rule = rule;
        this.clock = clock;
    }

    /**
     * Looks at a file already at {@code target} whose hash ({@code actual}) is not the entry's:
     * a Fail when it is a user's file that {@code keep} protects, else null (the download goes
     * ahead and {@link #place} deals with it); {@code found} is what to remember of it.
     */
    public Outcome.Fail beforeDownload(Path target, Found found) {
        if (found.ours() || rule != ExistingFiles.KEEP) {
            return null;
        }
        String what = found.isLink() ? " is a symbolic link (never followed) that this"
                + " daemon did not make"
                : " already holds another file (sha256 " + found.sha256() + ", " + found.size()
                        + " bytes) that this daemon did not download";
        return new Outcome.Fail("target_exists", target + what + "; it was kept and nothing"
                + " was downloaded. Move it away, or set \"existing_files\" to \"backup\" or"
                + " \"replace\", then retry", null, 0);
    }

    /**
     * What stands at {@code target} now, with its hash (none for a link, which is never followed);
     * null when nothing does, or a folder.
     */
    public static Found examine(Path target, Set<String> placedHashes) throws DiskException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(target, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw DiskException.of("read", target, e);
        }
        if (a.isSymbolicLink()) {
            return Found.link(a);
        }
        if (!a.isRegularFile()) {
            return null;
        }
        try {
            String sha = sha256Of(target);
            return new Found(sha, a.size(), a.lastModifiedTime(), placedHashes.contains(sha));
        } catch (IOException e) {
            throw DiskException.of("read", target, e);
        }
    }

    /**
     * Verifies the finished {@code part} against {@code expectedSha256} (null: nothing to check),
     * flushes it to disk and renames it to {@code target} in one step. The target's sub-folder
     * under {@code typeFolder} is checked again first: one swapped for a link while the download
     * ran must not carry the rename (of whatever stands at the part's name there) out of it.
     *
     * @param found  what stood at the target before the download (null: nothing)
     * @param status the HTTP status of the answer that ended the download, for the record
     */
    public Outcome place(PartFile part, Path typeFolder, Path target, String expectedSha256,
            Found found, Integer status) throws DiskException {
        Outcome unsafe = unsafeSubFolder(typeFolder, target);
        if (unsafe != null) {
            return unsafe;
        }
        String actual = part.sha256();
        long bytes = part.length();
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(actual)) {
            part.reset();
            return new Outcome.Retry("hash_mismatch", "SHA-256 mismatch: expected " + expectedSha256
                    + ", got " + actual + " (" + bytes + " bytes); the download was discarded",
                    null, status, bytes);
        }
        if (Files.exists(target, NOFOLLOW)
                && !(found != null && found.ours() && found.isStill(target))) {
            Outcome.Fail refused = makeRoom(part, target, expectedSha256, found, status, bytes);
            if (refused != null) {
                return refused;
            }
        }
        fsyncAndRename(part.path(), target);
        return new Outcome.Done(target, actual, bytes, true);
    }

    /**
     * A failure when the sub-folder of a file name leads out of its type's folder (see
     * {@link SubFolders}, which makes it when it is safe); null when it is in place.
     */
    public static Outcome unsafeSubFolder(Path typeFolder, Path target) throws DiskException {
        if (target == null) {
            return null;
        }
        try {
            return SubFolders.make(typeFolder, target)
                    .<Outcome>map(why -> new Outcome.Fail("unsafe_path", why, null, 0))
                    .orElse(null);
        } catch (IOException e) {
            throw DiskException.of("create folder", target.getParent(), e);
        }
    }

    /**
     * A file that is not this daemon's stands at the target: keep it, move it aside, or let it go.
     */
    private Outcome.Fail makeRoom(PartFile part, Path target, String expectedSha256, Found found,
            Integer status, long bytes) throws DiskException {
        boolean seenBefore = found != null && found.isStill(target);
        if (expectedSha256 == null || rule == ExistingFiles.KEEP) {
            return new Outcome.Fail("target_exists",
                    target + (seenBefore ? " holds another file"
                            : " appeared" + " during the download")
                    + "; it was kept, and the verified download waits in " + part.path()
                    + ". Move one of them away, or set \"existing_files\" to"
                    + " \"backup\", then retry", status, bytes);
        }
        if (rule == ExistingFiles.BACKUP) {
            moveAside(target);
        }
        return null;
    }

    /** Renames {@code target} to {@code <stem>.replaced-<UTC date>[-n]<ext>} beside it. */
    private void moveAside(Path target) throws DiskException {
        String name = target.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        String date = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
        for (int n = 1; n <= 1000; n++) {
            Path aside = target.resolveSibling(stem + ".replaced-" + date + (n == 1 ? "" : "-" + n)
                    + ext);
            if (Files.exists(aside, NOFOLLOW)) {
                continue;
            }
            try {
                Files.move(target, aside, StandardCopyOption.ATOMIC_MOVE);
                return;
            } catch (IOException e) {
                throw DiskException.of("move aside the file at", target, e);
            }
        }
        throw DiskException.of("move aside the file at", target,
                new IOException("1000 backups already exist"));
    }

    /** The SHA-256 of a whole file, read once; a link is refused, never read through. */
    public static String sha256Of(Path file) throws IOException {
        var digest = PartFile.newDigest();
        try (InputStream in = Files.newInputStream(file, NOFOLLOW)) {
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void fsyncAndRename(Path part, Path target) throws DiskException {
        try {
            // else a link would be renamed to the target
            if (!Files.isRegularFile(part, NOFOLLOW)) {
                throw new IOException(part + " is not a regular file");
            }
            // FileDescriptor.sync, unlike FileChannel.force, cannot be cut short by an interrupt:
            // a stop arriving now must not turn a verified file into a failed job
            // never creates it
            try (RandomAccessFile file = new RandomAccessFile(part.toFile(), "r")) {
                file.getFD().sync();
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw DiskException.of("move the verified file to", target, e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse to sync a folder; the rename itself is already atomic
        }
    }
}
