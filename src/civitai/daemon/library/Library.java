package civitai.daemon.library;

import civitai.daemon.civitai.HashLookup;
import civitai.daemon.events.Event;
import civitai.daemon.library.index.Found;
import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.index.Root;
import civitai.daemon.target.Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The library's scans: one at a time (a second is refused with {@link ScanBusy}), on their own
 * thread, cancellable; each identifies what it found on Civitai afterwards (when a lookup is
 * given). Events go out as {@link Event.ScanProgress} and {@link Event.ScanFinished}.
 * Thread-safe.
 */
public final class Library implements AutoCloseable {
    /** A scan now or the last one: its progress, its result once done, what identification said. */
    public record Status(boolean running, Event.ScanProgress progress, ScanResult last,
            String identifyError, long identified) {}

    private final LibraryIndex index;
    private final List<Root> roots;
    private final TypeFolders downloadTypes;
    private final TypeFolders otherTypes = new TypeFolders(Layout.COMFYUI);
    private final Identifier identifier;
    private final Consumer<Event> events;
    private final int threads;
    private final Clock clock;
    private Scan current;               // guarded by this
    private boolean deduping;           // guarded by this
    private Thread thread;              // guarded by this: the running scan's
    private volatile ScanResult last;
    private volatile String identifyError;
    private volatile long identified;
    private volatile BiConsumer<Path, String> sidecars;
    private final LongAdder hashed = new LongAdder();

    /**
     * @param downloadDir the one writable root, in {@code layout}
     * @param extraRoots  read-only roots ({@code library_roots})
     * @param lookup      Civitai by hash; null: files are not identified
     * @param threads     files hashed at once
     */
    public Library(LibraryIndex index, Path downloadDir, Layout layout, List<Path> extraRoots,
            HashLookup lookup, Consumer<Event> events, int threads, Clock clock) {
        this.index = index;
        List<Root> all = new ArrayList<>();
        all.add(new Root(downloadDir.toAbsolutePath(), true));
        for (Path p : extraRoots) {
            Root r = new Root(p.toAbsolutePath(), false);
            if (all.stream().noneMatch(x -> x.path().equals(r.path()))) {
                all.add(r);
            }
        }
        this.roots = List.copyOf(all);
        this.downloadTypes = new TypeFolders(layout);
        this.identifier = lookup == null ? null : new Identifier(index, lookup, this::identified);
        this.events = events;
        this.threads = Math.max(1, threads);
        this.clock = clock;
    }

    /** Files hashed at once by default: every core, at most 4 (more only queue on one disk). */
    public static int defaultThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
    }

    public List<Root> roots() {
        return roots;
    }

    /** The root a path lies in, the innermost when roots nest; null for none. */
    public Root rootOf(Path path) {
        Path p = path.toAbsolutePath().normalize();
        return roots.stream().filter(r -> r.contains(p))
                .max(Comparator.comparingInt(r -> r.path().getNameCount())).orElse(null);
    }

    /**
     * Starts a scan of every root, or of {@code root} alone (one of {@link #roots()}).
     *
     * @throws ScanBusy                 when a scan is running
     * @throws IllegalArgumentException when {@code root} is not a library root
     */
    public synchronized Status scan(Path root) throws ScanBusy {
        if (current != null || deduping) {
            throw new ScanBusy(current != null
                    ? "a library scan is running; cancel it (DELETE /api/library/scan)"
                            + " or wait for it"
                    : "duplicates are being replaced by hard links; scan once that is done");
        }
        List<Root> scanned = root == null ? roots : List.of(exactRoot(root));
        Scan scan = new Scan(index, roots, scanned, this::typeOf, threads,
                new Progress(events, clock, hashed), clock);
        current = scan;
        String name = root == null ? null : scanned.get(0).path().toString();
        thread = Thread.ofVirtual().name("library-scan").start(() -> run(scan, name));
        return status();
    }

    /**
     * Sidecars for files Civitai identified, written by {@code writer} (the model's path and its
     * entry) as a download's are: in download_dir only (the other roots are never written).
     */
    public void sidecarsBy(BiConsumer<Path, String> writer) {
        this.sidecars = writer;
    }

    private void identified(HashLookup.Match m) {
        var writer = sidecars;
        if (writer == null) {
            return;
        }
        for (LibraryFile f : index.withSha256(m.sha256())) {
            Path path = Path.of(f.path());
            Root root = rootOf(path);
            if (root != null && root.writable()) {
                writer.accept(path, m.entryJson());
            }
        }
    }

    private Root exactRoot(Path root) {
        Path p = root.toAbsolutePath().normalize();
        return roots.stream().filter(r -> r.path().equals(p)).findFirst().orElseThrow(() ->
                new IllegalArgumentException(root + " is not one of the library's roots "
                        + roots.stream().map(r -> r.path().toString()).toList()));
    }

    private void run(Scan scan, String rootName) {
        ScanResult result = null;
        try {
            result = scan.run(rootName);
            if (identifier != null && !scan.cancelled() && result.error() == null) {
                Identifier.Result r = identifier.identifyAll(scan::cancelled);
                identifyError = r.error();
                identified += r.matched();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            result = new ScanResult(rootName, Instant.now(clock), Instant.now(clock), 0, 0, 0, 0,
                    List.of(), scan.cancelled(), "the scan failed: " + e);
        } finally {
            finish(scan, result);
        }
    }

    private void finish(Scan scan, ScanResult result) {
        if (result != null) {
            last = result;
            events.accept(new Event.ScanFinished(result.files(), result.hashed(), result.missing(),
                    result.skipped().size(), result.cancelled(), result.took()));
        }
        synchronized (this) {
            current = null;
            thread = null;
            notifyAll();
        }
    }

    private String typeOf(Found f) {
        Path name = f.root().path().getFileName();
        return (f.root().writable() ? downloadTypes : otherTypes)
                .typeOf(name == null ? "" : name.toString(), f.root().path().relativize(f.path()));
    }

    /**
     * A file the daemon downloaded and verified enters the index with the hash it was verified
     * by: it is never hashed a second time.
     */
    public void verified(Path file, String sha256) {
        Root root = rootOf(file);
        if (root == null || sha256 == null || !Walker.isModel(file)) {
            return;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return;  // gone again already: the next scan says so
        }
        Found f = new Found(file.toAbsolutePath().normalize(), root, attrs.size(),
                attrs.lastModifiedTime().toMillis(),
                attrs.fileKey() == null ? null : attrs.fileKey().toString());
        String sha = sha256.toLowerCase(Locale.ROOT);
        index.byPath(f.path().toString())
                .ifPresentOrElse(row -> index.update(row.id(), f, sha, typeOf(f)),
                () -> index.insert(f, sha, typeOf(f)));
    }

    /** Cancels the running scan; false when none runs. */
    public synchronized boolean cancel() {
        if (current == null) {
            return false;
        }
        current.cancel();
        return true;
    }

    public synchronized Status status() {
        return new Status(current != null, current == null ? null : current.progress().now(), last,
                identifyError, identified);
    }

    /** Bytes hashed by the scans since the daemon started: a counter, for the hashing rate. */
    public long hashedBytes() {
        return hashed.sum();
    }

    /** Waits up to {@code timeout} for the running scan to end; true when none runs. */
    public synchronized boolean await(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (current != null) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /**
     * Replaces the other copies of {@code sha256} by hard links to {@code keep}; never while a
     * scan runs (it would index the files half-changed).
     *
     * @throws ScanBusy        when a scan is running
     * @throws Dedupe.Refused  when {@code keep} is not a present copy, or changed since indexed
     */
    public Dedupe.Result dedupe(String sha256, Path keep)
            throws ScanBusy, Dedupe.Refused, IOException {
        synchronized (this) {
            if (current != null || deduping) {
                throw new ScanBusy("a library scan or another replacement of duplicates is running;"
                        + " try again once it is done");
            }
            deduping = true;
        }
        try {
            return new Dedupe(index, this).run(sha256, keep.toAbsolutePath().normalize());
        } finally {
            synchronized (this) {
                deduping = false;
            }
        }
    }

    /** Stops a running scan (one waiting on Civitai's limiter too) and waits for it. */
    @Override
    public void close() {
        synchronized (this) {
            if (current != null) {
                current.cancel();
                thread.interrupt();
            }
        }
        try {
            await(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
