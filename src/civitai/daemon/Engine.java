package civitai.daemon;

import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.civitai.CivitaiCredentials;
import civitai.daemon.civitai.CivitaiRefusals;
import civitai.daemon.civitai.HashLookup;
import civitai.daemon.civitai.Sidecars;
import civitai.daemon.config.Config;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.download.fetch.host.HostCredentials;
import civitai.daemon.download.fetch.host.HostSlots;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.part.LocalCopies;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.retry.RetryPolicy;
import civitai.daemon.download.retry.Watchdog;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.huggingface.HubRefusals;
import civitai.daemon.library.Library;
import civitai.daemon.library.ScanBusy;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.store.Database;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.store.journal.RangeJournal;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The download engine and what it works with, built after the sources and started here: the
 * library's index (what a job may be satisfied from), the free-space gate, the queue with its
 * downloader, the manifest's entries queued, and the library told of every verified file. The
 * engine knows Civitai and the Hub only through the interfaces it is handed here.
 */
record Engine(LibraryIndex libraryIndex, SpaceGate space, LibraryReuse reuse, DownloadQueue queue,
        ManifestFile manifestFile, Library library) {

    /** Builds the engine and starts the queue, once the manifest's entries are in it. */
    static Engine build(Config config, DaemonLog log, Clock clock, Foundation base, Sources sources,
            Shutdown closing) {
        Database db = base.db();
        JobStore store = base.store();
        Targets targets = base.targets();
        EventBus bus = base.bus();
        HttpClient client = base.client();
        ScheduledExecutorService scheduler = base.scheduler();
        RateGate gate = sources.gate();
        RateGate hubGate = sources.hubGate();
        CivitaiClient civitai = sources.civitai();
        Sidecars sidecars = sources.sidecars();
        LibraryIndex libraryIndex = new LibraryIndex(db, clock);
        SpaceGate space = new SpaceGate(SpaceGate.Probe.FILE_STORE, config.minFreeSpace()::of);
        LibraryReuse reuse = new LibraryReuse(localCopies(libraryIndex), config.libraryReuse());
        DownloadQueue queue = closing.closeLater(downloads(config, log, store, targets,
                new RangeJournal(db), bus, client, scheduler, clock, gate, hubGate, reuse, space));
        ManifestFile manifestFile = new ManifestFile(config.manifestFile());
        loadManifest(config, log, queue, manifestFile);
        Library library = library(config, closing, libraryIndex, bus, civitai, clock, sidecars);
        queue.start();
        return new Engine(libraryIndex, space, reuse, queue, manifestFile, library);
    }

    /**
     * The download engine, given what it needs; Civitai is known to it only through its interfaces.
     */
    private static DownloadQueue downloads(Config config, DaemonLog log, JobStore store,
            Targets targets, RangeJournal journal, EventBus bus, HttpClient client,
            ScheduledExecutorService scheduler, Clock clock, RateGate gate, RateGate hubGate,
            LibraryReuse reuse, SpaceGate space) {
        RetryPolicy policy = new RetryPolicy(config.retries(), config.retryBaseDelay(),
                config.retryMaxDelay(), new Random(), clock);
        Watchdog watchdog = new Watchdog(scheduler, config.stallTimeout(), config.timeout());
        Downloader downloader = new Downloader(client,
                CivitaiCredentials.of(config.civitaiUrl(), config.civitaiApiKey())
                        .or(HostCredentials.bearer(config.huggingFace().endpoint(),
                                config.huggingFace().token())),
                Version.userAgent(), new Downloader.Settings(targets, config.stallTimeout(),
                        config.timeout()),
                new Bandwidth(config.maxDownloadSpeed()), policy, clock,
                RateGate.all(List.of(gate, hubGate)),
                new CivitaiRefusals(gate).or(new HubRefusals(config.huggingFace().endpoint())),
                new Placement(config.existingFiles(), clock), watchdog,
                new Downloader.Segmenting(config.connectionsPerDownload(), config.minSegmentSize(),
                        new HostSlots(config.maxConnectionsPerHost()), journal,
                        BufferBudget.standard()));
        downloader.reuseFrom(reuse);
        downloader.limitBodies(config.maxFileSize(), space);
        DownloadQueue queue = new DownloadQueue(store, bus, log, downloader, watchdog, policy,
                new DownloadQueue.Limits(config.workers(), config.throttle(), config.stallTimeout(),
                        config.timeout()));
        queue.spaceBy(space);
        return queue;
    }

    /**
     * The library's present files by SHA-256: what a job may be satisfied from before it downloads.
     */
    private static LocalCopies localCopies(LibraryIndex index) {
        return sha256 -> index.withSha256(sha256.toLowerCase(Locale.ROOT)).stream()
                .map(f -> Path.of(f.path())).filter(Files::isRegularFile).findFirst();
    }

    /**
     * The library, told of every verified download (no second hash), and its first scan started:
     * only what changed since the last run is hashed.
     */
    private static Library library(Config config, Shutdown closing, LibraryIndex index,
            EventBus bus, CivitaiClient civitai, Clock clock, Sidecars sidecars) {
        Library library = closing.closeLater(new Library(index, config.downloadDir(),
                config.layout(), config.libraryRoots(), new HashLookup(civitai), bus::publish,
                Library.defaultThreads(), clock));
        if (sidecars != null) {
            // before the start's scan identifies anything
            library.sidecarsBy(sidecars::afterIdentified);
        }
        bus.subscribe(event -> {
            if (event instanceof Event.Completed c && c.path() != null && c.sha256() != null) {
                library.verified(Path.of(c.path()), c.sha256());
            }
        });
        try {
            library.scan(null);
        } catch (ScanBusy e) {
            throw new IllegalStateException("a new library has no scan running", e);
        }
        return library;
    }

    private static void loadManifest(Config config, DaemonLog log, DownloadQueue queue,
            ManifestFile file) {
        Manifest.Parsed parsed;
        try {
            parsed = Manifest.parse(file.read());
        } catch (Manifest.ManifestException | IOException e) {
            log.error("manifest not loaded, nothing queued from it (it is left as it is;"
                    + " /api/status shows this)", e);
            return;
        }
        for (Manifest.Problem p : parsed.problems()) {
            log.warn("manifest " + config.manifestFile() + ": entry #" + p.index() + " skipped: "
                    + p.reason());
        }
        int added = 0;
        int adopted = 0;
        try {
            for (ManifestEntry entry : parsed.entries()) {
                if (entry.adopted()) {
                    // a file the library found on disk: tracked for updates, never downloaded
                    adopted++;
                    continue;
                }
                added += queue.submit(entry.toSpec()).created() ? 1 : 0;
            }
        } catch (DatabaseFull e) {  // the daemon still serves: the jobs the database has are shown
            log.error("manifest: its new entries are not queued until the next start", e);
        }
        log.info("manifest: " + parsed.entries().size() + " entries, " + added + " new job(s), "
                + parsed.problems().size() + " skipped"
                + (adopted > 0 ? ", " + adopted + " adopted from the library (not downloaded)"
                        : ""));
    }
}
