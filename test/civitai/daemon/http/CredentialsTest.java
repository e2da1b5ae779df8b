package civitai.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.SseClient;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code http://user:password@host/…}: the password goes to that host as Basic auth, and is
 * nowhere else — not in logs, API answers, events, webhooks, manifest.json, or SQLite beyond the
 * one column the request is made from.
 */
class CredentialsTest extends DaemonTest {
    private static final String PASSWORD = "pa55-w0rd-Zq9";
    private final byte[] content = Bytes.random(50_000, 21);
    private final List<String> webhookBodies = new CopyOnWriteArrayList<>();
    private HttpServer host;

    @BeforeEach
    void startHosts() throws IOException {
        host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                ("mirror-user:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        host.createContext("/private/model.safetensors", ex -> {
            try (ex) {
                boolean ok = expected.equals(ex.getRequestHeaders().getFirst("Authorization"));
                ex.sendResponseHeaders(ok ? 200 : 401, ok ? content.length : -1);
                if (ok) {
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(content);
                    }
                }
            }
        });
        host.createContext("/hook", ex -> {
            try (ex) {
                webhookBodies.add(new String(ex.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                ex.sendResponseHeaders(204, -1);
            }
        });
        host.start();
    }

    @AfterEach
    void stopHost() {
        host.stop(0);
    }

    @Test
    void userInfoIsSentAsBasicAuth_andRedactedEverywhereElse() throws Exception {
        int port = host.getAddress().getPort();
        URI url = URI.create("http://mirror-user:" + PASSWORD + "@127.0.0.1:" + port
                + "/private/model.safetensors");
        start(config("webhook_url", "http://127.0.0.1:" + port + "/hook"), new JsonArray());
        try (SseClient events = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            var added = daemon.post("/api/download", new JsonObject().add("url", url.toString())
                    .add("model_type", "lora").toString());
            assertEquals(202, added.statusCode(), added.body());
            assertFalse(added.body().contains(PASSWORD), added.body());
            long id = TestDaemon.json(added).get("job").asObject().getLong("id", 0);
            daemon.await(id, "completed");
            events.await("job.completed", id);
            assertFalse(events.events().toString().contains(PASSWORD), "events");
        }
        assertTrue(Files.exists(daemon.models().resolve("lora/model.safetensors")));
        Poll.until(() -> webhookBodies.stream().anyMatch(b -> b.contains("download_completed")),
                () -> "the webhook");

        String everything = daemon.get("/api/jobs").body() + daemon.get("/api/completed").body()
                + daemon.get("/api/jobs/1").body() + daemon.log("download.log")
                + daemon.log("error.log") + Files.readString(dir.resolve("manifest.json"))
                + String.join("\n", webhookBodies);
        assertFalse(everything.contains(PASSWORD), everything);
        assertTrue(everything.contains("127.0.0.1:" + port + "/private/model.safetensors"),
                "the URL itself is shown");

        List<Map<String, Object>> rows = daemon.db().query("SELECT * FROM jobs");
        rows.get(0).forEach((column, value) -> assertTrue(column.equals("url")
                || value == null || !value.toString().contains(PASSWORD),
                column + " holds the password"));
    }
}
