package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * X-Forwarded-* believed from trusted_proxies only: the client's address in logs, links the daemon
 * builds.
 */
class ForwardedTest extends DaemonTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + daemon.port() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String addJob(String... headers) throws IOException, InterruptedException {
        String entry = "{\"model_type\": \"lora\", \"filename\": \"f" + System.nanoTime()
                + ".safetensors\", \"url\": \"" + storage.url("nothing") + "\"}";
        HttpResponse<String> r = send("POST", "/api/download", entry, headers);
        assertEquals(202, r.statusCode(), r.body());
        return r.headers().firstValue("Location").orElse(null);
    }

    static final String[] FORWARDED = {"X-Forwarded-For", "198.51.100.1, 203.0.113.7",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "models.example.org",
        "X-Forwarded-Prefix", "/civitai/"};

    @Test
    void fromATrustedProxy_linksUseThePublicUrl() throws Exception {
        start(config("retries", 0).set("trusted_proxies", new JsonArray().add("127.0.0.1")),
                manifest());
        assertTrue(addJob(FORWARDED).matches(
                "https://models\\.example\\.org/civitai/api/jobs/\\d+"));
        assertTrue(addJob().matches("http://127\\.0\\.0\\.1:" + daemon.port() + "/api/jobs/\\d+"),
                "no headers, no proxy");
        assertTrue(addJob("X-Forwarded-Host", "evil.example/x?", "X-Forwarded-Prefix", "/../x y")
                .matches("http://127\\.0\\.0\\.1:" + daemon.port() + "/api/jobs/\\d+"),
                "malformed values are ignored");
    }

    @Test
    void fromAnyOtherPeer_theHeadersAreIgnored() throws Exception {
        start(config("retries", 0).set("trusted_proxies", new JsonArray().add("10.0.0.0/8")),
                manifest());
        assertTrue(addJob(FORWARDED).matches("http://127\\.0\\.0\\.1:" + daemon.port()
                + "/api/jobs/\\d+"));
    }

    @Test
    void refusals_logTheClientAddress_fromXForwardedFor_onlyWhenTheProxyIsTrusted()
            throws Exception {
        start(config("jwt_secret", "a-secret-of-at-least-32-characters-long!")
                .set("trusted_proxies", new JsonArray().add("127.0.0.1").add("10.0.0.0/8")),
                manifest());
        assertEquals(401, send("GET", "/api/jobs", null, "X-Forwarded-For",
                "198.51.100.1, 203.0.113.7, 10.1.1.1").statusCode());
        assertTrue(daemon.log("download.log").contains("refused GET /api/jobs from 203.0.113.7"),
                "the right-most hop that is not a trusted proxy");
        daemon.stop();
        Files.writeString(dir.resolve("config.json"),
                config("jwt_secret", "a-secret-of-at-least-32-characters-long!").toString());
        daemon.startAgain();
        assertEquals(401, send("GET", "/api/status", null, "X-Forwarded-For", "203.0.113.99")
                .statusCode());
        assertTrue(daemon.log("download.log").contains("refused GET /api/status from 127.0.0.1"),
                "an untrusted peer cannot choose the address logged");
    }
}
