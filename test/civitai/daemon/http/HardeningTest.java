package civitai.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DNS rebinding, and what hostile clients can hold before any route runs. */
class HardeningTest extends DaemonTest {

    /** The status line and body of one request sent as raw bytes, so any Host can be sent. */
    static String raw(int port, String host, String path) throws IOException {
        return raw(port, host, "GET", path);
    }

    static String raw(int port, String host, String method, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            String request = method + " " + path + " HTTP/1.1\r\n"
                    + (host == null ? "" : "Host: " + host + "\r\n") + "Connection: close\r\n\r\n";
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example:%d", "evil.example", "127.0.0.1.nip.io:%d", "127.0.0.1:1",
            "[::2]:%d"})
    void foreignHost_isRefusedWith421_whenAuthIsOff(String host) throws IOException {
        start(new JsonArray());
        String answer = raw(daemon.port(), host.formatted(daemon.port()), "/api/jobs");
        assertTrue(answer.startsWith("HTTP/1.1 421"), answer);
        assertTrue(answer.contains("misdirected_request") && answer.contains("allowed_hosts"),
                answer);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:%d", "localhost:%d", "LOCALHOST:%d", "[::1]:%d",
            "localhost"})
    void loopbackNames_areAnswered(String host) throws IOException {
        start(new JsonArray());
        String answer = raw(daemon.port(), host.formatted(daemon.port()), "/api/jobs");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }

    @Test
    void allowedHosts_extendTheList_forAReverseProxy() throws IOException {
        JsonObject config = config();
        config.add("allowed_hosts", new JsonArray().add("models.example.org").add("nas.lan:8443"));
        start(config, new JsonArray());
        assertTrue(raw(daemon.port(), "models.example.org", "/api/status")
                .startsWith("HTTP/1.1 200"));
        assertTrue(raw(daemon.port(), "Models.Example.org:" + daemon.port(), "/api/status")
                .startsWith("HTTP/1.1 200"));
        assertTrue(raw(daemon.port(), "nas.lan:8443", "/api/status").startsWith("HTTP/1.1 200"));
        assertTrue(raw(daemon.port(), "nas.lan:9999", "/api/status").startsWith("HTTP/1.1 421"));
    }

    @Test
    void withAuthOn_aTokenIsTheGate_notTheHost() throws IOException {
        start(config("jwt_secret", "a-long-enough-test-secret-0123456789"), new JsonArray());
        String answer = raw(daemon.port(), "models.example.org", "/api/jobs");
        assertTrue(answer.startsWith("HTTP/1.1 401"), answer);
    }

    @Test
    void eventClientsBeyondTheCap_getAFast503WithRetryAfter() throws IOException {
        start(config("max_event_clients", 2, "event_heartbeat", 0.2), new JsonArray());
        List<Socket> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), daemon.port());
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                streams.add(s);
                assertTrue(readUntil(s.getInputStream(), ": connected").startsWith("HTTP/1.1 200"));
            }
            String third = raw(daemon.port(), "127.0.0.1", "/api/events");
            assertTrue(third.startsWith("HTTP/1.1 503"), third);
            assertTrue(third.toLowerCase().contains("retry-after: 10")
                    && third.contains("max_event_clients"), third);
        } finally {
            for (Socket s : streams) {
                s.close();
            }
        }
        Poll.until(Duration.ofSeconds(20),
                () -> answers(daemon.port(), "/api/events", "HTTP/1.1 200"),
                () -> "a closed stream's place to be free again");
    }

    /**
     * In a child JVM, because the JDK's server reads its connection limits once per JVM: a
     * request whose headers never finish is cut after request_timeout, never answered.
     */
    @Test
    void slowClients_areCutAfterTheRequestTimeout() throws Exception {
        try (ChildDaemon child = child(config("max_connections", 16, "max_event_clients", 4,
                "request_timeout", 1))) {
            int port = child.awaitPort();
            List<Socket> slow = openSlowClients(port, 16);
            try {
                for (Socket s : slow) {
                    s.setSoTimeout(30_000);
                    assertEquals(-1, s.getInputStream().read(), "a slow client was answered");
                }
            } finally {
                closeAll(slow);
            }
            Poll.until(Duration.ofSeconds(30), () -> answers(port, "/healthz", "HTTP/1.1 200"),
                    () -> "/healthz to answer after the slow clients were cut");
        }
    }

    @Test
    void connectionsBeyondMaxConnections_areClosedAtAccept_andServedAgainOnceFree()
            throws Exception {
        try (ChildDaemon child = child(config("max_connections", 16, "max_event_clients", 4,
                "request_timeout", 600))) {
            int port = child.awaitPort();
            List<Socket> slow = openSlowClients(port, 16);
            try {
                Poll.until(Duration.ofSeconds(30), () -> closedUnanswered(port),
                        () -> "the 17th connection to be closed unanswered");
            } finally {
                closeAll(slow);
            }
            Poll.until(Duration.ofSeconds(30), () -> answers(port, "/healthz", "HTTP/1.1 200"),
                    () -> "/healthz to answer once the slow clients left");
            assertTrue(child.isAlive());
        }
    }

    @Test
    void healthPort_answersWhileSlowClientsHoldEveryApiConnection() throws Exception {
        int healthPort;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            healthPort = probe.getLocalPort();
        }
        try (ChildDaemon child = child(config("max_connections", 16, "max_event_clients", 4,
                "request_timeout", 600, "health_port", healthPort))) {
            int port = child.awaitPort();
            List<Socket> slow = openSlowClients(port, 16);
            try {
                Poll.until(Duration.ofSeconds(30), () -> closedUnanswered(port),
                        () -> "the API port to be full: a 17th connection closed unanswered");
                String health = raw(healthPort, "127.0.0.1", "/healthz");
                assertTrue(health.startsWith("HTTP/1.1 200")
                        && health.endsWith("{\"status\":\"ok\"}"), health);
                String other = raw(healthPort, "127.0.0.1", "/api/status");
                assertTrue(other.startsWith("HTTP/1.1 404")
                        && other.contains("the API is on port " + port), other);
            } finally {
                closeAll(slow);
            }
            assertTrue(child.output().contains("health listener on http://127.0.0.1:" + healthPort
                    + "/healthz"), child.output());
        }
    }

    @Test
    void aHealthPortThatIsTaken_stopsTheStartWithAConfigError() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ChildDaemon child = child(config("health_port", taken.getLocalPort()))) {
            assertEquals(78, child.awaitExit(Duration.ofSeconds(30)), child.output());
            assertTrue(child.output().contains("\"health_port\" is " + taken.getLocalPort()
                    + " but that port is taken"), child.output());
        }
    }

    private ChildDaemon child(JsonObject config) throws IOException {
        Files.writeString(dir.resolve("config.json"), config.toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"), "[]");
        return ChildDaemon.start(dir.resolve("config.json"), dir.resolve("child.log"));
    }

    private static List<Socket> openSlowClients(int port, int count) throws IOException {
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
            s.getOutputStream()
                    .write("GET /healthz HTTP/1.1\r\nHo".getBytes(StandardCharsets.ISO_8859_1));
            slow.add(s);
        }
        return slow;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static boolean closedUnanswered(int port) {
        try {
            return raw(port, "127.0.0.1", "/healthz").isEmpty();
        } catch (IOException e) {
            return true;  // a reset is the other way a closed connection shows
        }
    }

    private static boolean answers(int port, String path, String statusLine) {
        try {
            return raw(port, "127.0.0.1", "HEAD", path).startsWith(statusLine);
        } catch (IOException e) {
            return false;
        }
    }

    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 65_536 && text.indexOf(marker) < 0; i++) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }
}
