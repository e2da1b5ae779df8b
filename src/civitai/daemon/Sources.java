package civitai.daemon;

import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.civitai.Resolver;
import civitai.daemon.civitai.Sidecars;
import civitai.daemon.config.Config;
import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.events.Event;
import civitai.daemon.events.EventBus;
import civitai.daemon.huggingface.HfSidecar;
import civitai.daemon.huggingface.HubResolver;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.jobs.JobStore;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The sources: the rate gates of Civitai's host and the Hub's (a 429 seen by any request to one
 * holds every request to it), Civitai's client, the resolvers of references (the update
 * checker's, and the API's, which answers a 429 at once), and the sidecar writers of Civitai and
 * the Hub on completed downloads.
 */
record Sources(RateGate gate, RateGate hubGate, CivitaiClient civitai, Resolver resolver,
        Resolver interactive, Sidecars sidecars) {

    static Sources build(Config config, DaemonLog log, Clock clock, HttpClient client, EventBus bus,
            JobStore store, Shutdown closing) {
        RateGate gate = new RateGate(config.civitaiUrl(), config.retryMaxDelay(), clock);
        RateGate hubGate = new RateGate(config.huggingFace().endpoint(), HubResolver.QUOTA_PAUSE,
                clock);
        CivitaiClient civitai = new CivitaiClient(client, config.civitaiUrl(),
                config.civitaiApiKey(), Version.userAgent(), Duration.ofSeconds(2), gate);
        Resolver resolver = new Resolver(civitai, config.allowUnscanned(),
                config.filePreferences());
        // a person waiting on the API is told when to ask again instead of waiting out a 429
        Resolver interactive = new Resolver(civitai.interactive(), config.allowUnscanned(),
                config.filePreferences());
        Sidecars sidecars = subscribeSidecars(config, log, closing, bus, store, civitai, client);
        return new Sources(gate, hubGate, civitai, resolver, interactive, sidecars);
    }

    /**
     * The sidecar writers, subscribed to completed downloads before the queue starts (so no
     * completion is missed): the entry's source picks the sidecar, the Hub's a local write,
     * Civitai's asking Civitai again (on its own threads). Returns Civitai's, which also writes the
     * sidecars of files the library identifies; null when sidecars are off.
     */
    private static Sidecars subscribeSidecars(Config config, DaemonLog log, Shutdown closing,
            EventBus bus, JobStore store, CivitaiClient civitai, HttpClient client) {
        if (!config.sidecars()) {
            return null;
        }
        Sidecars sidecars = closing.closeLater(new Sidecars(civitai, client, config.previews(),
                config.allowNsfwPreviews(), Version.userAgent(), log));
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
}
