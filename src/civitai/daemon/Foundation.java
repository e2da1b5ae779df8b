package civitai.daemon;

import civitai.daemon.config.Config;
import civitai.daemon.events.EventBus;
import civitai.daemon.events.EventStream;
import civitai.daemon.events.JobLog;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.net.OutboundProxy;
import civitai.daemon.notify.Target;
import civitai.daemon.notify.Webhooks;
import civitai.daemon.store.Database;
import civitai.daemon.store.deliveries.WebhookStore;
import civitai.daemon.store.jobs.JobStore;
import civitai.daemon.target.Targets;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every other part stands on, built first: the database and the job store (its targets keyed
 * by their resolved path), the event bus with the log and the event stream on it, the scheduler,
 * the outbound HTTP client, and the notifications, delivered from their own store.
 */
record Foundation(Database db, Targets targets, JobStore store, EventBus bus, EventStream events,
        ScheduledExecutorService scheduler, HttpClient client, WebhookStore deliveries,
        Webhooks webhooks) {

    static Foundation build(Config config, DaemonLog log, Clock clock, Outbound outbound,
            Shutdown closing) {
        Database db = closing.closeLater(new Database(config.databaseFile(), log::warn));
        Targets targets = Targets.probing(config.downloadDir(), config.layout());
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
        Webhooks webhooks = closing.closeLater(new Webhooks(config.notifications().stream()
                .map(Target::of).toList(), config.webhookRetryDelay(), deliveries, store, client,
                log, clock, Version.userAgent()));
        bus.subscribe(webhooks::on);
        webhooks.start();
        return new Foundation(db, targets, store, bus, events, scheduler, client, deliveries,
                webhooks);
    }
}
