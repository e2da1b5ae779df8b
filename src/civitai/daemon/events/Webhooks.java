package civitai.daemon.events;

import civitai.daemon.log.DaemonLog;
import civitai.daemon.store.JobStore;
import civitai.daemon.store.WebhookStore;
import civitai.daemon.store.WebhookStore.Delivery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Job events POSTed to {@code webhook_url}: recorded in SQLite first, then sent by one sender
 * thread, so a slow or dead receiver never delays a download and a pending delivery survives a
 * restart. Each delivery is tried {@value #ATTEMPTS} times, waiting {@code webhook_retry_delay}
 * and then three times longer each time (15 s gives 15 + 45 + 135 + 405 s, about ten minutes).
 * With {@code webhook_secret}, each carries {@code X-Civitai-Daemon-Signature: sha256=<HMAC-SHA256
 * of the body>}. Thread-safe.
 */
public final class Webhooks implements AutoCloseable {
    static final int ATTEMPTS = 5;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_CHECK = Duration.ofSeconds(60);

    private final List<String> urls;
    private final String secret;
    private final Duration firstDelay;
    private final WebhookStore deliveries;
    private final JobStore jobs;
    private final HttpClient client;
    private final DaemonLog log;
    private final Clock clock;
    private final String userAgent;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    private volatile boolean open = true;
    private Thread sender;

    public Webhooks(List<URI> urls, String secret, Duration firstDelay, WebhookStore deliveries, JobStore jobs,
            HttpClient client, DaemonLog log, Clock clock, String userAgent) {
        this.urls = urls.stream().map(URI::toString).toList();
        this.secret = secret;
        this.firstDelay = firstDelay;
        this.deliveries = deliveries;
        this.jobs = jobs;
        this.client = client;
        this.log = log;
        this.clock = clock;
        this.userAgent = userAgent;
    }

    /** Starts sending, pending deliveries from before a restart included. */
    public void start() {
        sender = Thread.ofVirtual().name("webhooks").start(this::sendUntilClosed);
    }

    /** An event subscriber: records a delivery per URL for the events webhooks carry. */
    public void on(Event event) {
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
            case Event.Superseded s -> null;
        };
        if (name == null || urls.isEmpty()) {
            return;
        }
        jobs.find(event.jobId()).ifPresent(job -> {
            deliveries.add(urls, name, job.id(), WebhookPayload.of(name, Instant.now(clock), job, event));
            wake();
        });
    }

    /** Sends an event that is not a job's (the update checker's model_update, model_update_error). */
    public void deliver(String event, String payloadJson) {
        if (!urls.isEmpty()) {
            deliveries.add(urls, event, null, payloadJson);
            wake();
        }
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
                List<Delivery> due = deliveries.due(32);
                if (due.isEmpty()) {
                    awaitNext();
                    continue;
                }
                List<Thread> sends = due.stream().map(d -> Thread.ofVirtual().start(() -> send(d))).toList();
                try {
                    for (Thread t : sends) {
                        t.join();
                    }
                } catch (InterruptedException e) {
                    sends.forEach(Thread::interrupt);  // close(): the deliveries stay pending
                    for (Thread t : sends) {
                        t.join(SEND_TIMEOUT);
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
            added.await(Math.min(wait.toMillis(), IDLE_CHECK.toMillis()) + 1, TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void send(Delivery d) {
        Integer status = null;
        String error;
        try {
            HttpResponse<Void> r = client.send(request(d), HttpResponse.BodyHandlers.discarding());
            status = r.statusCode();
            if (status >= 200 && status < 300) {
                deliveries.delivered(d.id(), status);
                return;
            }
            error = "HTTP " + status;
        } catch (java.io.IOException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;  // still pending: sent again after a restart
        }
        int attempt = d.attempts() + 1;
        boolean last = attempt >= ATTEMPTS;
        Instant retryAt = last ? null : Instant.now(clock).plus(firstDelay.multipliedBy((long) Math.pow(3, attempt - 1)));
        deliveries.attemptFailed(d.id(), status, error, retryAt);
        String what = "webhook " + d.event() + " to " + d.url() + " failed (" + error + "), attempt " + attempt
                + " of " + ATTEMPTS;
        if (last) {
            log.job(DaemonLog.Level.ERROR, d.jobId() == null ? 0 : d.jobId(), "webhook", what + "; giving up");
        } else {
            log.warn(what + "; next at " + retryAt);
        }
    }

    private HttpRequest request(Delivery d) {
        byte[] body = d.payload().getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(d.url()))
                .timeout(SEND_TIMEOUT)
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", userAgent)
                .header("X-Civitai-Daemon-Event", d.event())
                .header("X-Civitai-Daemon-Delivery", Long.toString(d.id()))
                .header("X-Civitai-Daemon-Timestamp", Long.toString(Instant.now(clock).getEpochSecond()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            b.header("X-Civitai-Daemon-Signature", "sha256=" + hmac(secret, body));
        }
        return b.build();
    }

    /** HMAC-SHA256 of {@code body} under {@code key}, lower-case hex. */
    public static String hmac(String key, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is in every JDK", e);
        }
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
        if (sender != null) {
            sender.interrupt();
            try {
                sender.join(SEND_TIMEOUT.multipliedBy(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
