package civitai.daemon.download.rules;

import civitai.daemon.log.Sizes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * Space before a byte: whether a job of a known size may start on its file system, counting what
 * running downloads still need and what must stay free. A job larger than the whole file system can
 * never fit and fails; one that does not fit now waits until space appears.
 */
public final class SpaceGate {
    /** Free and total bytes of the file system a folder is on; tests give a small one. */
    public interface Probe {
        long usable(Path folder) throws IOException;

        long total(Path folder) throws IOException;

        /** Which file system: folders with equal answers share their space. */
        default Object fileSystem(Path folder) throws IOException {
            return Files.getFileStore(folder);
        }

        Probe FILE_STORE = new Probe() {
            @Override
            public long usable(Path folder) throws IOException {
                return Files.getFileStore(folder).getUsableSpace();
            }

            @Override
            public long total(Path folder) throws IOException {
                return Files.getFileStore(folder).getTotalSpace();
            }
        };
    }

    /** One file system's space, named by the first folder asked about that is on it. */
    public record Disk(Path path, long free, long total, long keepFree) {}

    /** Whether a job may start. */
    public sealed interface Verdict {
        record Fits() implements Verdict {}

        record Wait(String message) implements Verdict {}

        record TooBig(String message) implements Verdict {}
    }

    private final Probe probe;
    private final LongUnaryOperator keepFree;

    /** @param keepFree the bytes to keep free on a file system of the given total size */
    public SpaceGate(Probe probe, LongUnaryOperator keepFree) {
        this.probe = probe;
        this.keepFree = keepFree;
    }

    /**
     * @param needed   the bytes this job still writes
     * @param reserved the bytes running downloads on any file system still write (a bound: they are
     *                 counted even when on another one)
     */
    public Verdict check(Path folder, long needed, long reserved) {
        long usable;
        long total;
        try {
            usable = probe.usable(existing(folder));
            total = probe.total(existing(folder));
        } catch (IOException e) {
            return new Verdict.Fits();  // no answer: the write itself reports a full disk
        }
        if (needed > total) {
            return new Verdict.TooBig("needs " + exactly(needed) + " but the file system at "
                    + folder + " holds " + Sizes.of(total) + " in all");
        }
        long keep = keepFree.applyAsLong(total);
        long free = usable - reserved;
        if (free - needed < keep) {
            return new Verdict.Wait("waiting for space: needs " + exactly(needed) + " and "
                    + Sizes.of(keep) + " kept free (min_free_space), " + Sizes.of(Math.max(0, free))
                    + " free" + (reserved > 0 ? " after running downloads (" + Sizes.of(reserved)
                            + " still to come)" : ""));
        }
        return new Verdict.Fits();
    }

    /**
     * What may still be written where {@code folder} is before less than the kept-free amount is
     * left (it may be negative); null when the file system does not say. Bounds a body of unknown
     * size.
     */
    public Long room(Path folder) {
        try {
            Path at = existing(folder);
            return probe.usable(at) - keepFree.applyAsLong(probe.total(at));
        } catch (IOException e) {
            return null;
        }
    }

    /** Free bytes where {@code folder} is (or would be), null when the file system does not say. */
    public Long free(Path folder) {
        try {
            return probe.usable(existing(folder));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The space of each file system the folders are on, once each, in the folders' order; a
     * folder whose file system does not answer (unmounted, unreadable) is left out.
     */
    public List<Disk> disks(List<Path> folders) {
        Map<Object, Disk> seen = new LinkedHashMap<>();
        for (Path folder : folders) {
            Path at = existing(folder);
            try {
                Object fileSystem = probe.fileSystem(at);
                if (!seen.containsKey(fileSystem)) {
                    long total = probe.total(at);
                    seen.put(fileSystem, new Disk(folder.toAbsolutePath(), probe.usable(at), total,
                            keepFree.applyAsLong(total)));
                }
            } catch (IOException e) {
                continue;  // nothing to say about it; a download there reports its own error
            }
        }
        return List.copyOf(seen.values());
    }

    /** A size a job needs, readable and exact (the entry's or the server's own figure). */
    private static String exactly(long bytes) {
        return Sizes.of(bytes) + " (" + bytes + " bytes)";
    }

    /**
     * The folder, or its nearest parent that exists: a job's folder is made only when it starts.
     */
    private static Path existing(Path folder) {
        Path p = folder.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? folder : p;
    }
}
