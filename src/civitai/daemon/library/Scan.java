package civitai.daemon.library;

import civitai.daemon.library.index.Found;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.index.Root;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One scan of some roots: walks them, keeps the rows of files unchanged (same size, mtime and
 * inode: no hashing), recognises a moved file by its inode (no hashing) or, once hashed, by its
 * SHA-256 (it keeps its row and what is known of it), hashes what is new or changed on several
 * threads at once, and marks what vanished {@code missing}. A cancelled scan records what it
 * hashed and marks nothing missing. Runs on the caller's thread, plus its hashing threads.
 */
final class Scan {
    /** A file to hash, and the row it updates (null: a new file). */
    private record Work(Found found, Long rowId) {}

    private final LibraryIndex index;
    private final List<Root> scanned;
    private final Walker walker;
    private final Function<Found, String> types;
    private final int threads;
    private final Progress progress;
    private final Clock clock;
    private final AtomicLong moved = new AtomicLong();
    private final AtomicLong hashed = new AtomicLong();
    private final Map<String, LibraryFile> vanishedBySha = new HashMap<>();  // guarded by itself
    private volatile boolean cancelled;

    Scan(LibraryIndex index, List<Root> allRoots, List<Root> scanned, Function<Found, String> types,
            int threads, Progress progress, Clock clock) {
        this.index = index;
        this.scanned = List.copyOf(scanned);
        this.walker = new Walker(allRoots, () -> cancelled);
        this.types = types;
        this.threads = threads;
        this.progress = progress;
        this.clock = clock;
    }

    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    Progress progress() {
        return progress;
    }

    ScanResult run(String rootName) throws InterruptedException {
        Instant started = Instant.now(clock);
        String error = null;
        long missing = 0;
        try {
            for (Root r : scanned) {
                walker.walk(r);
            }
            List<LibraryFile> vanished = new ArrayList<>();
            List<Work> work = plan(vanished);
            hashAll(work);
            if (!cancelled) {
                missing = markMissing(vanished);
            }
        } catch (IOException e) {
            error = "cannot walk the library: " + e.getMessage();
        }
        List<ScanResult.Skip> skips = walker.skipped.stream()
                .map(s -> new ScanResult.Skip(s.path().toString(), s.reason())).toList();
        return new ScanResult(rootName, started, Instant.now(clock), walker.found.size(),
                hashed.get(), moved.get(), missing, skips, cancelled, error);
    }

    /** Sorts what was found into unchanged, moved and to-hash; fills {@code vanished}. */
    private List<Work> plan(List<LibraryFile> vanished) {
        Map<String, LibraryFile> rows = new HashMap<>();
        scanned.forEach(r -> index.under(r).forEach(f -> rows.put(f.path(), f)));
        Set<String> seenPaths = new HashSet<>();
        walker.found.forEach(f -> seenPaths.add(f.path().toString()));
        Map<String, LibraryFile> vanishedByInode = new HashMap<>();
        for (LibraryFile row : rows.values()) {
            if (!seenPaths.contains(row.path())) {
                vanished.add(row);
                if (row.inode() != null && row.sha256() != null) {
                    vanishedByInode.put(row.inode(), row);
                }
            }
        }
        List<Long> unchanged = new ArrayList<>();
        List<Work> work = new ArrayList<>();
        for (Found f : walker.found) {
            LibraryFile row = rows.get(f.path().toString());
            if (row != null && f.sameAs(row)) {
                unchanged.add(row.id());
                continue;
            }
            LibraryFile old = row == null && f.inode() != null ? vanishedByInode.remove(f.inode())
                    : null;
            if (old != null && old.size() == f.size() && old.mtimeMillis() == f.mtimeMillis()) {
                vanished.remove(old);  // renamed or moved: the same inode, unchanged
                index.update(old.id(), f, old.sha256(), typeOf(f));
                moved.incrementAndGet();
                continue;
            }
            work.add(new Work(f, row == null ? null : row.id()));
        }
        index.seen(unchanged);
        vanished.stream().filter(v -> v.sha256() != null)
                .forEach(v -> vanishedBySha.putIfAbsent(v.sha256(), v));
        return work;
    }

    private void hashAll(List<Work> work) throws InterruptedException {
        progress.plan(work.size(), work.stream().mapToLong(w -> w.found().size()).sum());
        ConcurrentLinkedQueue<Work> queue = new ConcurrentLinkedQueue<>(work.stream()
                .sorted(Comparator.comparingLong((Work w) -> w.found().size()).reversed())
                .toList());
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < Math.min(threads, Math.max(1, work.size())); i++) {
            workers.add(Thread.ofPlatform().name("library-hash-" + i).daemon()
                    .start(() -> hashFrom(queue)));
        }
        try {
            for (Thread t : workers) {
                t.join();
            }
        } catch (InterruptedException e) {
            cancelled = true;
            for (Thread t : workers) {
                t.join();
            }
            throw e;
        }
        progress.publish();
    }

    private void hashFrom(ConcurrentLinkedQueue<Work> queue) {
        FileHasher hasher = new FileHasher();
        Work w;
        while (!cancelled && (w = queue.poll()) != null) {
            try {
                String sha = hasher.hash(w.found().path(), progress::bytes, () -> cancelled);
                record(w, sha);
                hashed.incrementAndGet();
            } catch (CancellationException e) {
                return;
            } catch (IOException e) {
                walker.skipped.add(new Walker.Skipped(w.found().path(),
                        "cannot be read: " + e.getMessage()));
            } finally {
                progress.fileDone();
            }
        }
    }

    private void record(Work w, String sha) {
        if (w.rowId() != null) {
            index.update(w.rowId(), w.found(), sha, typeOf(w.found()));
            return;
        }
        LibraryFile old;
        synchronized (vanishedBySha) {
            old = vanishedBySha.remove(sha);
        }
        if (old != null) {
            // renamed and copied: the same content
            index.update(old.id(), w.found(), sha, typeOf(w.found()));
            moved.incrementAndGet();
        } else {
            index.insert(w.found(), sha, typeOf(w.found()));
        }
    }

    /** Rows whose file is gone and that no found file took over (by inode or hash). */
    private long markMissing(List<LibraryFile> vanished) {
        return index.missing(vanished);
    }

    private String typeOf(Found f) {
        return types.apply(f);
    }
}
