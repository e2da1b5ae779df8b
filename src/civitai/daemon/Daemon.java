package civitai.daemon;

import civitai.daemon.auth.Jwt;
import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.civitai.CivitaiCredentials;
import civitai.daemon.civitai.CivitaiGate;
import civitai.daemon.civitai.CivitaiRefusals;
import civitai.daemon.civitai.FilePreferences;
import civitai.daemon.civitai.GatedHosts;
import civitai.daemon.civitai.HashLookup;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.civitai.Sidecars;
import civitai.daemon.civitai.UpdateChecker;
import civitai.daemon.config.Config;
import civitai.daemon.config.ConfigException;
import civitai.daemon.config.PortClaim;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.Downloader;
import civitai.daemon.download.attempt.RetryPolicy;
import civitai.daemon.download.attempt.Watchdog;
import civitai.daemon.download.fetch.Bandwidth;
import civitai.daemon.download.fetch.HostCredentials;
import civitai.daemon.download.fetch.HostSlots;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.part.LocalCopies;
import civitai.daemon.download.part.Placement;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.events.EventStream;
import civitai.daemon.events.JobLog;
import civitai.daemon.http.Api;
import civitai.daemon.http.Server;
import civitai.daemon.huggingface.HfSidecar;
import civitai.daemon.huggingface.HubRefusals;
import civitai.daemon.huggingface.HubResolver;
import civitai.daemon.huggingface.HubUpdates;
import civitai.daemon.library.Library;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.library.ScanBusy;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.log.Redactor;
import civitai.daemon.manifest.EntryUpgrade;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.net.OutboundProxy;
import civitai.daemon.notify.Target;
import civitai.daemon.notify.Webhooks;
import civitai.daemon.store.Database;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.JobHistory;
import civitai.daemon.store.JobStore;
import civitai.daemon.store.RangeJournal;
import civitai.daemon.store.WebhookStore;
import civitai.daemon.target.Layout;
import civitai.daemon.target.Targets;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: builds every part in dependency order, and closes them in reverse,
 * once. Nothing else holds references to all the parts.
 */
public final class Daemon implements AutoCloseable {
    /** Between the update check's HEADs to the Hub: a few hundred files stay well inside its quota. */
    private static final Duration HUB_PACE = Duration.ofMillis(250);
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();
    private final Config config;
    private final DaemonLog log;
    private Server server;
    private boolean closed;

    private Daemon(Config config, DaemonLog log) {
        this.config = config;
        this.log = log;
    }

    /** The port is bound before anything is downloaded, so a taken port stops a start early. */
    public static Daemon start(Config configured, List<String> warnings, PrintStream console)
            throws IOException, ConfigException {
        Clock clock = Clock.systemUTC();
        DaemonLog log = new DaemonLog(configured.logDir(), configured.logMaxBytes(), configured.logFiles(),
                new Redactor(configured.secrets()), clock, console);
        warnings.forEach(log::warn);
        Server.limitClients(configured.maxConnections(), configured.requestTimeout());
        if (System.getProperty("jdk.httpclient.bufsize") == null) {  // read once, when the first client is made
            System.setProperty("jdk.httpclient.bufsize", Integer.toString(BufferBudget.clientBufferSize(
                    configured.workers() * configured.connectionsPerDownload())));
        }
        Outbound outbound = new Outbound(configured);
        Server[] bound = new Server[1];
        Config config;
        try {
            config = new PortClaim(new SecureRandom()).claim(configured, port -> {
                bound[0] = Server.bind(configured.bindAddress(), port).orElse(null);
                return bound[0] != null;
            });
        } catch (ConfigException | IOException | RuntimeException e) {
            outbound.close();
            log.close();
            throw e;
        }
        Server health = config.healthPort() == 0 ? null : Server.bind(config.bindAddress(), config.healthPort()).orElse(null);
        if (config.healthPort() != 0 && health == null) {
            outbound.close();
            bound[0].close();
            log.close();
            throw new ConfigException("config key \"health_port\" is " + config.healthPort() + " but that port is"
                    + " taken on " + config.bindAddress() + "; choose another, or 0 for no health listener");
        }
        Daemon daemon = new Daemon(config, log);
        daemon.closing.push(log);
        try {
            daemon.wire(bound[0], health, outbound, clock);
        } catch (RuntimeException | IOException e) {
            bound[0].close();
            if (health != null) {
                health.close();
            }
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private void wire(Server server, Server health, Outbound outbound, Clock clock) throws IOException {
        this.server = server;
        closeLater(outbound);
        Database db = closeLater(new Database(config.databaseFile(), log::warn));
        Targets targets = Targets.probing(config.downloadDir(), Layout.of(config.layout()));
        JobStore store = new JobStore(db, clock, targets::key);
        int rekeyed = store.rekeyTargets();
        if (rekeyed > 0) {
            log.info(rekeyed + " job(s) keyed by their file's resolved path under download_dir");
        }
        EventBus bus = new EventBus(e -> log.error("an event subscriber failed", e));
        bus.subscribe(new JobLog(log)::on);
        EventStream events = new EventStream(config.maxEventClients());
        bus.subscribe(events::on);
        closing.push(events::close);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("scheduler").daemon().factory());
        HttpClient client = outbound.client();
        log.info("outbound connections: " + new OutboundProxy(config.outboundProxy()).describe());
        WebhookStore deliveries = new WebhookStore(db, clock);
        Webhooks webhooks = closeLater(new Webhooks(config.notifications().stream().map(Target::of).toList(),
                config.webhookRetryDelay(), deliveries, store, client, log, clock, Version.userAgent()));
        bus.subscribe(webhooks::on);
        webhooks.start();
        CivitaiGate gate = new CivitaiGate(config.civitaiUrl(), clock);
        CivitaiClient civitai = new CivitaiClient(client, config.civitaiUrl(), config.civitaiApiKey(),
                Version.userAgent(), clock, Duration.ofSeconds(2), gate);
        FilePreferences preferences = new FilePreferences(config.filePreferences().get("format"),
                config.filePreferences().get("fp"), config.filePreferences().get("size"));
        Resolver resolver = new Resolver(civitai, config.allowUnscanned(), preferences);
        // a person waiting on the API is told when to ask again instead of waiting out a 429
        Resolver interactive = new Resolver(civitai.interactive(), config.allowUnscanned(), preferences);
        Sidecars sidecars = subscribeSidecars(bus, store, civitai, client);
        LibraryIndex libraryIndex = new LibraryIndex(db, clock);
        SpaceGate space = new SpaceGate(SpaceGate.Probe.FILE_STORE, config.minFreeSpace()::of);
        LibraryReuse reuse = new LibraryReuse(localCopies(libraryIndex), config.libraryReuse());
        DownloadQueue queue = closeLater(downloads(store, targets, new RangeJournal(db), bus, client,
                scheduler, clock, gate, reuse, space));
        ManifestFile manifestFile = new ManifestFile(config.manifestFile());
        loadManifest(queue, manifestFile);
        Library library = library(libraryIndex, bus, civitai, clock, sidecars);
        queue.start();
        HubResolver hub = new HubResolver(client, config.huggingFace().endpoint(), config.huggingFace().token());
        EntryUpgrade upgrade = new EntryUpgrade(manifestFile, config.manifestMode(), entry -> queue.submit(entry.toSpec()));
        UpdateChecker updates = closeLater(new UpdateChecker(civitai, resolver, manifestFile, upgrade,
                new HubUpdates(hub, upgrade, bus::publish, log, clock, HUB_PACE), bus::publish, log, clock));
        scheduleUpdates(scheduler, updates, config.updateFirstDelay());
        closing.push(scheduler::shutdownNow);  // stops first: no tick reaches a part being closed
        server.start(new Api(new Api.Parts(Version.current(), clock, config.workers(), config.eventHeartbeat(),
                store, new JobHistory(db, clock), queue, manifestFile, events, deliveries, server::port,
                config.jwtSecret() == null ? null : new Jwt(config.jwtSecret(), clock), log,
                Api.references(interactive, config.civitaiUrl(), hub, config.huggingFace().endpoint()), updates,
                config.bindAddress(), config.allowedHosts(),
                webhooks, config.trustedProxies(), config.downloadDir(), library, libraryIndex,
                Layout.of(config.layout()), space, reuse)));
        closeLater(server);
        outbound.buildInBackground();  // the TLS set-up, while the first requests are answered
        if (health != null) {
            health.startHealth(server.port());
            closeLater(health);
            log.info("health listener on http://" + hostForUrl() + ":" + health.port() + "/healthz");
        }
        log.info("civitai-daemon " + Version.current() + " listening on http://" + hostForUrl()
                + ":" + server.port() + " (status: /api/status), downloading to " + config.downloadDir()
                + (config.jwtSecret() == null ? "; API auth is off (no jwt_secret)" : ""));
    }

    /** The download engine, given what it needs; Civitai is known to it only through its interfaces. */
    private DownloadQueue downloads(JobStore store, Targets targets, RangeJournal journal, EventBus bus,
            HttpClient client,
            ScheduledExecutorService scheduler, Clock clock, CivitaiGate gate, LibraryReuse reuse, SpaceGate space) {
        RetryPolicy policy = new RetryPolicy(config.retries(), config.retryBaseDelay(), config.retryMaxDelay(),
                new Random(), clock);
        Watchdog watchdog = new Watchdog(scheduler, config.stallTimeout(), config.timeout());
        Downloader downloader = new Downloader(client,
                CivitaiCredentials.of(config.civitaiUrl(), config.civitaiApiKey())
                        .or(HostCredentials.bearer(config.huggingFace().endpoint(), config.huggingFace().token())),
                Version.userAgent(), new Downloader.Settings(targets, config.stallTimeout(), config.timeout()),
                new Bandwidth(config.maxDownloadSpeed()), policy, clock,
                new GatedHosts(gate, config.retryMaxDelay()),
                new CivitaiRefusals(gate).or(new HubRefusals(config.huggingFace().endpoint())), new Placement(Placement.ExistingFiles.of(config.existingFiles()), clock), watchdog,
                new Downloader.Segmenting(config.connectionsPerDownload(), config.minSegmentSize(),
                        new HostSlots(config.maxConnectionsPerHost()), journal, BufferBudget.standard()));
        downloader.reuseFrom(reuse);
        downloader.limitBodies(config.maxFileSize(), space);
        DownloadQueue queue = new DownloadQueue(store, bus, log, downloader, watchdog, policy,
                new DownloadQueue.Limits(config.workers(), config.throttle(), config.stallTimeout(), config.timeout()));
        queue.spaceBy(space);
        return queue;
    }

    /** The library's present files by SHA-256: what a job may be satisfied from before it downloads. */
    private static LocalCopies localCopies(LibraryIndex index) {
        return sha256 -> index.withSha256(sha256.toLowerCase(java.util.Locale.ROOT)).stream()
                .map(f -> Path.of(f.path())).filter(java.nio.file.Files::isRegularFile).findFirst();
    }

    /**
     * The library, told of every verified download (no second hash), and its first scan started:
     * only what changed since the last run is hashed.
     */
    private Library library(LibraryIndex index, EventBus bus, CivitaiClient civitai, Clock clock, Sidecars sidecars) {
        Library library = closeLater(new Library(index, config.downloadDir(), Layout.of(config.layout()),
                config.libraryRoots(), new HashLookup(civitai), bus::publish, Library.defaultThreads(), clock));
        if (sidecars != null) {
            library.sidecarsBy(sidecars::afterIdentified);  // before the start's scan identifies anything
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

    /** Registers a part to be closed on stop, in reverse order of creation. */
    private <T extends AutoCloseable> T closeLater(T part) {
        closing.push(part);
        return part;
    }

    /**
     * The sidecar writers, subscribed to completed downloads before the queue starts (so no
     * completion is missed): the entry's source picks the sidecar, the Hub's a local write,
     * Civitai's asking Civitai again (on its own threads). Returns Civitai's, which also writes the
     * sidecars of files the library identifies; null when sidecars are off.
     */
    private Sidecars subscribeSidecars(EventBus bus, JobStore store, CivitaiClient civitai, HttpClient client) {
        if (!config.sidecars()) {
            return null;
        }
        Sidecars sidecars = closeLater(new Sidecars(civitai, client, config.previews(), config.allowNsfwPreviews(),
                Version.userAgent(), log));
        HfSidecar hub = new HfSidecar(log);
        bus.subscribe(event -> {
            if (event instanceof Event.Completed c && c.downloaded()) {
                store.find(c.jobId()).ifPresent(job -> {
                    String entry = job.spec().entryJson();
                    if (HfSidecar.fromHub(entry)) {
                        hub.afterDownload(Path.of(c.path()), entry);
                    } else {
                        sidecars.afterDownload(Path.of(c.path()), entry);
                    }
                });
            }
        });
        return sidecars;
    }

    /** The scheduler only triggers a check (which runs on its own thread), then plans the next. */
    private void scheduleUpdates(ScheduledExecutorService scheduler, UpdateChecker updates, Duration delay) {
        if (config.updateInterval().isZero()) {
            return;
        }
        scheduler.schedule(() -> {
            try {
                updates.start();
            } catch (Throwable t) {  // an escaped exception would end the schedule silently
                log.error("could not start the update check", t);
            }
            long jitter = (long) (config.updateInterval().toMillis() * 0.05 * new Random().nextDouble());
            scheduleUpdates(scheduler, updates, config.updateInterval().plusMillis(jitter));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void loadManifest(DownloadQueue queue, ManifestFile file) {
        Manifest.Parsed parsed;
        try {
            parsed = Manifest.parse(file.read());
        } catch (Manifest.ManifestException | IOException e) {
            log.error("manifest not loaded, nothing queued from it (it is left as it is; /api/status shows this)", e);
            return;
        }
        for (Manifest.Problem p : parsed.problems()) {
            log.warn("manifest " + config.manifestFile() + ": entry #" + p.index() + " skipped: " + p.reason());
        }
        int added = 0;
        int adopted = 0;
        try {
            for (ManifestEntry entry : parsed.entries()) {
                if (entry.adopted()) {
                    adopted++;  // a file the library found on disk: tracked for updates, never downloaded
                    continue;
                }
                added += queue.submit(entry.toSpec()).created() ? 1 : 0;
            }
        } catch (DatabaseFull e) {  // the daemon still serves: the jobs the database has are shown
            log.error("manifest: its new entries are not queued until the next start", e);
        }
        log.info("manifest: " + parsed.entries().size() + " entries, " + added + " new job(s), "
                + parsed.problems().size() + " skipped"
                + (adopted > 0 ? ", " + adopted + " adopted from the library (not downloaded)" : ""));
    }

    private String hostForUrl() {
        String host = config.bindAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** The port actually listened on (differs from the config only for active_port 0). */
    public int port() {
        return server.port();
    }

    /** Stops serving and downloading; parts and state stay for the next start. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("stopping: unfinished downloads keep their .part files and resume on the next start");
        while (!closing.isEmpty()) {
            AutoCloseable part = closing.pop();
            try {
                part.close();
            } catch (Exception e) {
                if (part != log) {
                    log.error("error while stopping", e);
                }
            }
        }
    }

    static void awaitForever() throws InterruptedException {
        while (true) {
            TimeUnit.DAYS.sleep(1);
        }
    }
}
