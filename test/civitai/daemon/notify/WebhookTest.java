package civitai.daemon.notify;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhooks against a real receiver that fails at first and checks signatures. */
class WebhookTest extends DaemonTest {
    static final String SECRET = "webhook-secret-for-tests";
    byte[] content = Bytes.random(100_000, 81);

    /** What the receiver got: headers and body. */
    record Received(Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean hang;
    HttpServer receiver;

    private String startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                16);
        receiver.createContext("/hook", ex -> {
            try (ex) {
                String body = new String(ex.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8);
                if (hang) {
                    release.await(30, TimeUnit.SECONDS);
                }
                received.add(new Received(Map.copyOf(ex.getRequestHeaders()), body));
                ex.sendResponseHeaders(failuresLeft.getAndDecrement() > 0 ? 503 : 204, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @AfterEach
    void stopReceiver() {
        release.countDown();
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    private List<Received> events(String name) {
        return received.stream().filter(r -> r.body().contains("\"event\":\"" + name + "\""))
                .toList();
    }

    private List<String> deliveryStates() {
        return daemon.db().query("SELECT state FROM webhook_deliveries").stream()
                .map(r -> (String) r.get("state")).toList();
    }

    @Test
    void completion_isDelivered_signed_andRetriedUntilTheReceiverAccepts() throws IOException {
        String url = startReceiver();
        failuresLeft.set(2);
        start(config("webhook_url", url, "webhook_secret", SECRET, "webhook_retry_delay", 0.05),
                manifest(entry("lora", "hooked.safetensors", storage.put("hooked", content),
                        Bytes.sha256(content)).add("modelId", 1231067)));
        daemon.await(1, "completed");
        Poll.until(() -> deliveryStates().size() == 2 && !deliveryStates().contains("pending"),
                () -> "the deliveries to settle: " + deliveryStates());

        List<Received> completions = events("download_completed");
        Received delivery = completions.get(completions.size() - 1);
        assertEquals("sha256=" + WebhookTarget.hmac(SECRET,
                delivery.body().getBytes(StandardCharsets.UTF_8)),
                delivery.header("X-Civitai-Daemon-Signature"), "the receiver can check the body");
        assertTrue(delivery.header("X-Civitai-Daemon-Timestamp").matches("\\d{10}"));
        JsonObject payload = Json.parse(delivery.body()).asObject();
        assertEquals(1, payload.getLong("job_id", 0));
        assertEquals(1231067, payload.getLong("model_id", 0));
        assertEquals("lora", payload.getString("model_type", null));
        assertEquals("hooked.safetensors", payload.getString("filename", null));
        assertEquals(Bytes.sha256(content), payload.getString("sha256", null));
        assertEquals(content.length, payload.getLong("size", 0));
        assertTrue(payload.get("duration_seconds").isNumber()
                && payload.get("average_bytes_per_second").isNumber());
        assertTrue(payload.getString("path", "").endsWith("lora/hooked.safetensors"));
        assertFalse(delivery.body().contains(SECRET) || delivery.body().contains("test-api-key"));
        assertFalse(events("download_started").isEmpty(), "the start is announced too");

        JsonArray shown = daemon.getJson("/api/webhooks").get("deliveries").asArray();
        assertEquals(2, shown.size());
        assertTrue(shown.values().stream()
                .allMatch(d -> d.asObject().getString("state", "").equals("delivered")));
        int attempts = shown.values().stream().mapToInt(d -> d.asObject().getInt("attempts", 0))
                .sum();
        assertEquals(4, attempts, "2 failures, then each delivered");
    }

    @Test
    void aFailedDownload_sendsTheReason_andADeadReceiverGivesUpAfterFiveAttempts()
            throws IOException {
        String url = startReceiver();
        failuresLeft.set(100);
        start(config("webhook_url", url, "webhook_retry_delay", 0.01),
                manifest(entry("lora", "gone.safetensors", storage.url("missing"), null)));
        daemon.await(1, "failed");
        Poll.until(() -> deliveryStates().size() == 2
                && deliveryStates().stream().allMatch("failed"::equals),
                () -> "both deliveries to give up: " + deliveryStates());

        Received failed = events("download_failed").get(0);
        assertEquals("not_found", Json.parse(failed.body()).asObject().getString("error", null));
        assertNull(failed.header("X-Civitai-Daemon-Signature"), "unsigned without webhook_secret");
        assertEquals(5, events("download_failed").size());
        assertEquals(2, daemon.getJson("/api/metrics").get("webhooks").asObject()
                .getInt("failed", 0));
        assertTrue(daemon.get("/metrics").body()
                .contains("civitai_daemon_webhook_failures_total 2"));
        assertTrue(daemon.log("error.log").contains("download_failed to " + url));
    }

    @Test
    void aWebhookInTheNotificationsList_usesItsOwnSecret_andTheDefaultEvents() throws IOException {
        String url = startReceiver();
        JsonObject target = new JsonObject().add("type", "webhook").add("url", url)
                .add("secret", "per-target-secret");
        start(config("webhook_retry_delay", 0.05).set("notifications", new JsonArray().add(target)),
                manifest(entry("lora", "listed.safetensors", storage.put("listed", content),
                        Bytes.sha256(content))));
        daemon.await(1, "completed");
        Poll.until(() -> deliveryStates().equals(List.of("delivered")),
                () -> "one delivery: " + deliveryStates());

        Received delivery = events("download_completed").get(0);
        assertEquals("sha256=" + WebhookTarget.hmac("per-target-secret",
                delivery.body().getBytes(StandardCharsets.UTF_8)),
                delivery.header("X-Civitai-Daemon-Signature"));
        assertTrue(events("download_started").isEmpty(),
                "download_started is not among the default events");
        assertEquals("webhook", daemon.db().one("SELECT target FROM webhook_deliveries")
                .get("target"));
    }

    @Test
    void aHangingReceiver_neverDelaysADownload() throws IOException {
        String url = startReceiver();
        hang = true;
        start(config("webhook_url", url),
                manifest(entry("lora", "a.safetensors", storage.put("a", content), null),
                        entry("lora", "b.safetensors", storage.put("b", content), null)));
        daemon.await(1, "completed");
        daemon.await(2, "completed");
        assertTrue(received.isEmpty(), "the receiver still has not answered");
    }

    @Test
    void pendingDeliveries_surviveARestart() throws IOException {
        String dead = "http://127.0.0.1:9/hook";  // nothing listens there: connection refused
        start(config("webhook_url", dead, "webhook_retry_delay", 0.05),
                manifest(entry("lora", "r.safetensors", storage.put("r", content), null)));
        daemon.await(1, "completed");
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM webhook_deliveries"
                + " WHERE attempts > 0") >= 1, () -> "a first failed attempt");
        // started and completed each have a delivery: the one tried already has an error
        String lastError = daemon.getJson("/api/webhooks").get("deliveries").asArray().values()
                .stream().map(d -> d.asObject().get("last_error")).filter(JsonValue::isString)
                .map(JsonValue::asString).findFirst().orElse("");
        assertTrue(lastError.startsWith("cannot connect"), lastError);
        assertFalse(lastError.contains("Exception"),
                "no exception class in an answer: " + lastError);
        daemon.stop();

        moveStoredDeliveries(dead, startReceiver());
        daemon.startAgain();
        Poll.until(() -> events("download_completed").size() == 1,
                () -> "the pending delivery after the restart");
    }

    /**
     * The receiver now listens elsewhere; the stored deliveries follow it, as a DNS change would.
     */
    private void moveStoredDeliveries(String from, String to) {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("completed.db"));
                var s = c.prepareStatement("UPDATE webhook_deliveries SET url = ? WHERE url = ?")) {
            s.setString(1, to);
            s.setString(2, from);
            assertEquals(2, s.executeUpdate());
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
