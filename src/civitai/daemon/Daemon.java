package civitai.daemon;

import civitai.daemon.auth.Jwt;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.civitai.UpdateChecker;
import civitai.daemon.config.Config;
import civitai.daemon.config.ConfigException;
import civitai.daemon.config.PortClaim;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.part.BufferBudget;
import civitai.daemon.download.part.LibraryReuse;
import civitai.daemon.download.rules.SpaceGate;
import civitai.daemon.events.EventStream;
import civitai.daemon.http.Api;
import civitai.daemon.http.Server;
import civitai.daemon.huggingface.HubResolver;
import civitai.daemon.library.Library;
import civitai.daemon.library.index.LibraryIndex;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.log.Redactor;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.notify.Webhooks;
import civitai.daemon.store.Database;
import civitai.daemon.store.deliveries.WebhookStore;
import civitai.daemon.store.jobs.JobHistory;
import civitai.daemon.store.jobs.JobStore;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The composition root: builds every part in dependency order, and closes them in reverse,
 * once. Nothing else holds references to all the parts. The order, each step handed what the
 * earlier ones built: the port bound, the {@link Foundation} (store, events, notifications), the
 * {@link Sources}, the {@link Engine} (started), the {@link Updates}, then the API served.
 */
public final class Daemon implements AutoCloseable {
    private final Shutdown closing = new Shutdown();
    private final Config config;
    private final DaemonLog log;
    private Server server;
    private boolean closed;

    private Daemon(Config config, DaemonLog log) {
        this.config = config;
        this.log = log;
    }

    /** The port is bound before anything is downloaded, so a taken port stops a start early. */
    public static Daemon start(Config config, List<String> warnings, PrintStream console)
            throws IOException, ConfigException {
        Clock clock = Clock.systemUTC();
        DaemonLog log = new DaemonLog(config.logDir(), config.logMaxBytes(), config.logFiles(),
                new Redactor(config.secrets()), clock, console);
        warnings.forEach(log::warn);
        Server.limitClients(config.maxConnections(), config.requestTimeout());
        // read once, when the first client is made
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize",
                    Integer.toString(BufferBudget.clientBufferSize(
                    config.workers() * config.connectionsPerDownload())));
        }
        Outbound outbound = new Outbound(config);
        Server bound = claimPort(config, outbound, log);
        Server health = bindHealth(config, bound, outbound, log);
        Daemon daemon = new Daemon(config, log);
        daemon.closing.push(log);
        try {
            daemon.wire(bound, health, outbound, clock);
        } catch (RuntimeException | IOException e) {
            bound.close();
            if (health != null) {
                health.close();
            }
            daemon.close();
            throw e;
        }
        return daemon;
    }

    /** The API's port, bound: {@code active_port}, or one of the range, chosen and saved. */
    private static Server claimPort(Config config, Outbound outbound, DaemonLog log)
            throws IOException, ConfigException {
        Server[] bound = new Server[1];
        try {
            new PortClaim(new SecureRandom()).claim(config, port -> {
                bound[0] = Server.bind(config.bindAddress(), port).orElse(null);
                return bound[0] != null;
            });
        } catch (ConfigException | IOException | RuntimeException e) {
            outbound.close();
            log.close();
            throw e;
        }
        return bound[0];
    }

    /** The health listener on {@code health_port}, bound; null when there is none. */
    private static Server bindHealth(Config config, Server bound, Outbound outbound, DaemonLog log)
            throws IOException, ConfigException {
        Server health = config.healthPort() == 0 ? null
                : Server.bind(config.bindAddress(), config.healthPort()).orElse(null);
        if (config.healthPort() != 0 && health == null) {
            outbound.close();
            bound.close();
            log.close();
            throw new ConfigException("config key \"health_port\" is " + config.healthPort()
                    + " but that port is" + " taken on " + config.bindAddress()
                    + "; choose another, or 0 for no health listener");
        }
        return health;
    }

    private void wire(Server server, Server health, Outbound outbound, Clock clock)
            throws IOException {
        this.server = server;
        closing.closeLater(outbound);
        Foundation base = Foundation.build(config, log, clock, outbound, closing);
        Sources sources = Sources.build(config, log, clock, base.client(), base.bus(), base.store(),
                closing);
        Engine engine = Engine.build(config, log, clock, base, sources, closing);
        Updates updates = Updates.build(config, log, clock, base, sources, engine, closing);
        server.start(new Api(apiParts(server, clock, base, sources, engine, updates)));
        closing.closeLater(server);
        outbound.buildInBackground();  // the TLS set-up, while the first requests are answered
        if (health != null) {
            health.startHealth(server.port());
            closing.closeLater(health);
            log.info("health listener on http://" + hostForUrl() + ":" + health.port()
                    + "/healthz");
        }
        log.info("civitai-daemon " + Version.current() + " listening on http://" + hostForUrl()
                + ":" + server.port() + " (status: /api/status), downloading to "
                + config.downloadDir() + (config.jwtSecret() == null
                        ? "; API auth is off (no jwt_secret)" : ""));
    }

    /** Everything the routes read or drive, from the parts built before them. */
    private Api.Parts apiParts(Server server, Clock clock, Foundation base, Sources sources,
            Engine engine, Updates checks) {
        Database db = base.db();
        JobStore store = base.store();
        EventStream events = base.events();
        WebhookStore deliveries = base.deliveries();
        Webhooks webhooks = base.webhooks();
        Resolver interactive = sources.interactive();
        DownloadQueue queue = engine.queue();
        ManifestFile manifestFile = engine.manifestFile();
        Library library = engine.library();
        LibraryIndex libraryIndex = engine.libraryIndex();
        SpaceGate space = engine.space();
        LibraryReuse reuse = engine.reuse();
        HubResolver hub = checks.hub();
        UpdateChecker updates = checks.checker();
        return new Api.Parts(Version.current(), clock, config.workers(), config.eventHeartbeat(),
                store, new JobHistory(db, clock), queue, manifestFile, events, deliveries,
                server::port, config.jwtSecret() == null ? null
                : new Jwt(config.jwtSecret(), clock), log,
                Api.references(interactive, config.civitaiUrl(), hub,
                        config.huggingFace().endpoint()), updates,
                config.bindAddress(), config.allowedHosts(),
                webhooks, config.trustedProxies(), config.downloadDir(), library, libraryIndex,
                config.layout(), space, reuse);
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
        log.info("stopping: unfinished downloads keep their .part files and resume on"
                + " the next start");
        closing.closeAll(log);
    }

    static void awaitForever() throws InterruptedException {
        while (true) {
            TimeUnit.DAYS.sleep(1);
        }
    }
}
