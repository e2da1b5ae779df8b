package civitai.daemon.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.fetch.RateGate;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A git-stored Hub file is read whole to check its git SHA-1, and only for so long. */
class NonLfsFilesTest {
    private static final byte[] CONFIG =
            "{\"_class_name\": \"AutoencoderKL\"}\n".getBytes(StandardCharsets.UTF_8);

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer hub;
    private URI endpoint;

    @BeforeEach
    void startHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        hub.createContext("/org/vae/resolve/", ex -> {
            try (ex; OutputStream out = ex.getResponseBody()) {
                boolean stalls = ex.getRequestURI().getPath().endsWith("stalled.json");
                ex.sendResponseHeaders(200, CONFIG.length);
                if (stalls) {
                    out.write(CONFIG, 0, 10);
                    out.flush();
                    release.await();  // the rest never comes while the test runs
                } else {
                    out.write(CONFIG);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        hub.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        hub.start();
        endpoint = URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    @AfterEach
    void stopHub() {
        release.countDown();
        hub.stop(0);
    }

    private HubAnswer verify(String file, Duration readWithin) throws Exception {
        var requests = new HubRequests(HttpClient.newHttpClient(), endpoint, null,
                new RateGate(endpoint, Duration.ofSeconds(60), Clock.systemUTC()));
        var ref = HfReference.parseEntry("org/vae/" + file, "main").orElseThrow();
        var pinned = endpoint.resolve("/org/vae/resolve/" + "c".repeat(40) + "/" + file);
        var hub = new HubAnswer.Resolved("c".repeat(40), null, NonLfsFiles.gitSha1(CONFIG),
                CONFIG.length, pinned);
        return new NonLfsFiles(requests, 5, readWithin).verify(ref, hub);
    }

    @Test
    void aFileThatComesWhole_isCheckedByItsGitSha1_andGivesItsSha256() throws Exception {
        var answer = assertInstanceOf(HubAnswer.Resolved.class,
                verify("config.json", Duration.ofSeconds(30)));
        assertEquals(64, answer.sha256().length(), answer.toString());
    }

    @Test
    void aHubThatStallsMidBody_isGivenUpOn_notWaitedForWithoutEnd() {
        var answer = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> verify("stalled.json", Duration.ofMillis(300)),
                "a stalled body holds nobody for ever");
        var failed = assertInstanceOf(HubAnswer.Failed.class, answer);
        assertTrue(failed.message().contains("too slowly"), failed.message());
    }
}
