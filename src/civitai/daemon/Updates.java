package civitai.daemon;

import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.civitai.UpdateChecker;
import civitai.daemon.config.Config;
import civitai.daemon.download.DownloadQueue;
import civitai.daemon.events.EventBus;
import civitai.daemon.huggingface.HubResolver;
import civitai.daemon.huggingface.HubUpdates;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.manifest.EntryUpgrade;
import civitai.daemon.manifest.ManifestFile;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The update check, built once the queue runs: the Hub's resolver, what an update does to an entry
 * ({@code manifest_mode}), the checker of Civitai's and the Hub's entries, and its schedule. The
 * scheduler's shutdown is registered here, so on stop it is the first thing to go.
 */
record Updates(HubResolver hub, UpdateChecker checker) {
    /**
     * Between the update check's HEADs to the Hub: a few hundred files stay well inside its quota.
     */
    private static final Duration HUB_PACE = Duration.ofMillis(250);

    static Updates build(Config config, DaemonLog log, Clock clock, Foundation base,
            Sources sources, Engine engine, Shutdown closing) {
        HttpClient client = base.client();
        EventBus bus = base.bus();
        ScheduledExecutorService scheduler = base.scheduler();
        CivitaiClient civitai = sources.civitai();
        Resolver resolver = sources.resolver();
        ManifestFile manifestFile = engine.manifestFile();
        DownloadQueue queue = engine.queue();
        HubResolver hub = new HubResolver(client, config.huggingFace().endpoint(),
                config.huggingFace().token(), sources.hubGate());
        EntryUpgrade upgrade = new EntryUpgrade(manifestFile, config.manifestMode(),
                entry -> queue.submit(entry.toSpec()));
        UpdateChecker updates = closing.closeLater(new UpdateChecker(civitai, resolver,
                manifestFile, upgrade, new HubUpdates(hub, upgrade, bus::publish, log, clock,
                        HUB_PACE), bus::publish, log, clock));
        scheduleUpdates(config, log, scheduler, updates, config.updateFirstDelay());
        closing.push(scheduler::shutdownNow);  // stops first: no tick reaches a part being closed
        return new Updates(hub, updates);
    }

    /** The scheduler only triggers a check (which runs on its own thread), then plans the next. */
    private static void scheduleUpdates(Config config, DaemonLog log,
            ScheduledExecutorService scheduler, UpdateChecker updates, Duration delay) {
        if (config.updateInterval().isZero()) {
            return;
        }
        scheduler.schedule(() -> {
            try {
                updates.start();
            } catch (Throwable t) {  // an escaped exception would end the schedule silently
                log.error("could not start the update check", t);
            }
            long jitter = (long) (config.updateInterval().toMillis() * 0.05
                    * new Random().nextDouble());
            scheduleUpdates(config, log, scheduler, updates,
                    config.updateInterval().plusMillis(jitter));
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
