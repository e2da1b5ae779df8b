package civitai.daemon.notify;

import civitai.daemon.events.Event;
import civitai.daemon.events.EventJson;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.notify.Sender.Attempt;
import civitai.daemon.store.DatabaseFull;
import civitai.daemon.store.deliveries.WebhookStore.Delivery;
import civitai.daemon.store.deliveries.WebhookStore;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.JsonObject;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Events sent to the notification targets (webhooks, Telegram, ntfy, Discord): recorded in SQLite
 * first, then sent by one sender thread, so a slow or dead receiver never delays a download and a
 * pending delivery survives a restart. Each delivery is tried {@value #ATTEMPTS} times, waiting
 * {@code webhook_retry_delay} and then three times longer each time (15 s gives 15 + 45 + 135 +
 * 405 s, about ten minutes); a 429 or 503 that says how long to wait (Telegram's
 * {@code retry_after}, Retry-After) is waited out instead, up to {@link #MAX_RETRY_AFTER}.
 * Each {@link Target} formats its own request, and one try of it is a {@link Sender}'s; this
 * class owns which targets an event goes to, the delivery log's outbox and the retry schedule.
 * Thread-safe.
 */
public final class Webhooks implements AutoCloseable {
    static final int ATTEMPTS = 5;
    private static final Duration IDLE_CHECK = Duration.ofSeconds(60);
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final List<Target> targets;
    private final Duration firstDelay;
    private final WebhookStore deliveries;
    private final JobStore jobs;
    private final Sender sender;
    private final DaemonLog log;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private final Unrecorded unrecorded;
    private volatile boolean open = true;
    private Thread sending;

    public Webhooks(List<Target> targets, Duration firstDelay, WebhookStore deliveries,
            JobStore jobs, HttpClient client, DaemonLog log, Clock clock, String userAgent) {
        this.targets = List.copyOf(targets);
        this.firstDelay = firstDelay;
        this.deliveries = deliveries;
        this.jobs = jobs;
        this.sender = new Sender(client, clock, userAgent);
        this.log = log;
        this.clock = clock;
        this.unrecorded = new Unrecorded(log);
    }

    /** Starts sending, pending deliveries from before a restart included. */
    public void start() {
        sending = Thread.ofVirtual().name("webhooks").start(this::sendUntilClosed);
    }

    /** The configured targets, in config order. */
    public List<Target> targets() {
        return targets;
    }

    /** An event subscriber: records a delivery per target that wants the event. */
    public void on(Event event) {
        switch (event) {
            case Event.OfJob job -> onJob(job);
            case Event.ModelUpdate u -> record("model_update", EventJson.payload(u));
            case Event.ModelUpdateError e -> record("model_update_error", EventJson.payload(e));
            case Event.ScanProgress p -> { } // the library's progress is for the live stream only
            case Event.ScanFinished f -> { }
        }
    }

    private void onJob(Event.OfJob event) {
        String name = switch (event) {
            case Event.Started s -> "download_started";
            case Event.Completed c -> "download_completed";
            case Event.Failed f -> "download_failed";
            case Event.Cancelled c -> "download_cancelled";
            case Event.Queued q -> null;
            case Event.Progress p -> null;
            case Event.Retrying r -> null;
            case Event.Verifying v -> null;
            case Event.Paused p -> null;
            case Event.WaitingSpace w -> null;
            case Event.Superseded s -> null;
        };
        if (name == null) {
            return;
        }
        List<WebhookStore.Recipient> to = recipients(name);
        if (to.isEmpty()) {
            return;
        }
        jobs.find(event.jobId()).ifPresent(job -> {
            try {
                deliveries.add(to, name, job.id(),
                        WebhookPayload.of(name, Instant.now(clock), job, event));
            } catch (DatabaseFull e) {
                // the outbox is in the database: a delivery it cannot hold is not sent
                log.error("webhook " + name + " of job " + job.id() + " not sent", e);
                return;
            }
            wake();
        });
    }

    /** An event that is not a job's: recorded without one. */
    private void record(String event, String payloadJson) {
        List<WebhookStore.Recipient> to = recipients(event);
        if (!to.isEmpty()) {
            deliveries.add(to, event, null, payloadJson);
            wake();
        }
    }

    /**
     * Sends a test message to one target now, once, and records the outcome in the delivery log.
     * Called on a request thread; blocks up to the send timeout.
     *
     * @return the recorded delivery, or empty when no target has that name
     */
    public Optional<Delivery> test(String targetName) {
        Target target = targets.stream().filter(t -> t.name().equals(targetName)).findFirst()
                .orElse(null);
        if (target == null) {
            return Optional.empty();
        }
        String payload = new JsonObject()
                .add("event", "test")
                .add("timestamp", Instant.now(clock).toString())
                .add("title", "Test notification from civitai-daemon")
                .add("message", "The " + target.type() + " target \"" + target.name() + "\" works.")
                .toString();
        Delivery probe = new Delivery(0, target.name(), recordedUrl(target), "test", null, payload,
                "pending", 0, null, null, null, null, null);
        Attempt result = sender.attempt(target, probe);
        if (result == null) {
            result = new Attempt(null, "interrupted: the daemon is stopping", null);
        }
        long id = deliveries.addTried(new WebhookStore.Recipient(target.name(),
                recordedUrl(target)), "test", payload, result.status(), result.error());
        return deliveries.recent(target.name(), 1).stream().filter(d -> d.id() == id).findFirst();
    }

    private List<WebhookStore.Recipient> recipients(String event) {
        return targets.stream().filter(t -> t.events().contains(event))
                .map(t -> new WebhookStore.Recipient(t.name(), recordedUrl(t))).toList();
    }

    /** A webhook's delivery goes where its row says; other services' rows show their endpoint. */
    private static String recordedUrl(Target t) {
        return t instanceof WebhookTarget w ? w.url().toString() : t.endpoint();
    }

    private void wake() {
        lock.lock();
        try {
            added.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sendUntilClosed() {
        while (open) {
            try {
                unrecorded.retry();
                List<Delivery> due = deliveries.due(32).stream()
                        .filter(d -> !unrecorded.holds(d.id())).toList();
                if (due.isEmpty()) {
                    if (unrecorded.any()) {
                        sleepQuietly();  // their rows look due: wait for the database, not for them
                    } else {
                        awaitNext();
                    }
                    continue;
                }
                List<Thread> sends = due.stream().map(d -> Thread.ofVirtual().start(() -> send(d)))
                        .toList();
                try {
                    for (Thread t : sends) {
                        t.join();
                    }
                } catch (InterruptedException e) {
                    sends.forEach(Thread::interrupt);  // close(): the deliveries stay pending
                    for (Thread t : sends) {
                        t.join(Sender.SEND_TIMEOUT);
                    }
                    return;
                }
            } catch (InterruptedException e) {
                return;  // close()
            } catch (RuntimeException e) {
                log.error("webhook sender: unexpected error; continuing", e);
                sleepQuietly();
            }
        }
    }

    private void awaitNext() throws InterruptedException {
        Instant next = deliveries.nextDue();
        Duration wait = next == null ? IDLE_CHECK : Duration.between(Instant.now(clock), next);
        if (wait.isNegative() || wait.isZero()) {
            return;
        }
        lock.lock();
        try {
            added.await(Math.min(wait.toMillis(), IDLE_CHECK.toMillis()) + 1,
                    TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void send(Delivery d) {
        Target target = targetOf(d);
        if (target == null) {
            unrecorded.record(d.id(), () ->
                    deliveries.attemptFailed(d.id(), null, "notification target \""
                    + d.target() + "\" is no longer configured", null));
            return;
        }
        Attempt result = sender.attempt(target, d);
        if (result == null) {
            return;  // interrupted by close(): still pending, sent again after a restart
        }
        if (result.error() == null) {
            unrecorded.record(d.id(), () -> deliveries.delivered(d.id(), result.status()));
            return;
        }
        int attempt = d.attempts() + 1;
        boolean last = attempt >= ATTEMPTS;
        Duration wait = result.askedWait() != null ? min(result.askedWait(), MAX_RETRY_AFTER)
                : firstDelay.multipliedBy((long) Math.pow(3, attempt - 1));
        Instant retryAt = last ? null : Instant.now(clock).plus(wait);
        unrecorded.record(d.id(), () ->
                deliveries.attemptFailed(d.id(), result.status(), result.error(), retryAt));
        String what = target.type() + " " + d.event() + " to " + d.url() + " (" + target.name()
                + ") failed (" + result.error() + "), attempt " + attempt + " of " + ATTEMPTS;
        if (last) {
            log.job(DaemonLog.Level.ERROR, d.jobId() == null ? 0 : d.jobId(), "webhook",
                    what + "; giving up");
        } else {
            log.warn(what + "; next at " + retryAt);
        }
    }

    private Target targetOf(Delivery d) {
        for (Target t : targets) {
            if (d.target() != null ? t.name().equals(d.target())
                    : t instanceof WebhookTarget w && w.url().toString().equals(d.url())) {
                return t;
            }
        }
        return null;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops sending; what is not delivered stays pending for the next start. */
    @Override
    public void close() {
        open = false;
        if (sending != null) {
            sending.interrupt();
            try {
                sending.join(Sender.SEND_TIMEOUT.multipliedBy(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
