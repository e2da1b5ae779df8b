package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.TestDaemon;
import com.eclipsesource.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad requests get one JSON error shape with the right status; never a 500 or a stack trace. */
class ErrorsTest extends DaemonTest {
    @BeforeEach
    void daemon() {
        start(manifest());
    }

    private static JsonObject error(HttpResponse<String> r) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                r.body());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "),
                "no stack trace: " + r.body());
        JsonObject error = TestDaemon.json(r).get("error").asObject();
        assertFalse(error.getString("code", "").isEmpty());
        assertFalse(error.getString("message", "").isEmpty());
        return error;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "POST   | /api/download | text/plain       | {}                       | 415 |"
                + " unsupported_media_type",
        "POST   | /api/download | application/json | {not json                | 400 | bad_request",
        "POST   | /api/download | application/json | []                       | 400 | bad_request",
        "POST   | /api/download | application/json | {\"url\": \"ftp://x\", \"model_type\":"
        + " \"lora\"} | 400 | bad_request",
        "POST   | /api/batch    | application/json | {\"entries\": 5}         | 400 | bad_request",
        "PATCH  | /api/jobs/1   | application/json | {\"priority\": 1}        | 404 | not_found",
        "PUT    | /api/download | application/json | {}                       | 405 |"
        + " method_not_allowed", "GET    | /api/download | NONE             | NONE                 "
        + "    | 405 | method_not_allowed",
        "DELETE | /api/status   | NONE             | NONE                     | 405 |"
        + " method_not_allowed", "GET    | /api/nothing  | NONE             | NONE                 "
        + "    | 404 | not_found",
        "GET    | /api/jobs/1/x | NONE             | NONE                     | 404 | not_found",
        "POST   | /api/jobs/1/explode | NONE       | NONE                     | 404 | not_found",
        "GET    | /api/completed?limit=9999 | NONE | NONE                     | 400 | bad_request",
        "GET    | /api/metrics?format=xml | NONE   | NONE                     | 400 | bad_request",
        "DELETE | /api/jobs/1?delete_file=maybe | NONE | NONE               | 400 | bad_request",
    }, nullValues = "NONE")
    void errors(String method, String path, String type, String body, int status, String code)
    throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        var r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(code, error(r).getString("code", null));
        if (status == 405) {
            assertTrue(r.headers().firstValue("Allow").isPresent(), "405 names what is allowed");
        }
    }

    @Test
    void tooLargeBody_is413() {
        String big = "{\"url\": \"http://127.0.0.1/x\", \"model_type\": \"lora\", \"pad\": \""
                + "x".repeat(1 << 20) + "\"}";
        var r = daemon.post("/api/download", big);
        assertEquals(413, r.statusCode());
        assertEquals("payload_too_large", error(r).getString("code", null));
    }

    @Test
    void aBodyDeclaredTooLarge_is413BeforeItIsSent() throws Exception {
        // the headers alone, declaring more than is ever read: a daemon that read first would wait
        // for 100 MiB
        try (var socket = new Socket("127.0.0.1", daemon.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /api/batch HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (100 << 20)
                    + "\r\n\r\n[").getBytes(StandardCharsets.ISO_8859_1));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1)).readLine();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
        }
    }

    @Test
    void deepNesting_is400BeforeParsing() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        var r = daemon.post("/api/batch", deep);
        assertEquals(400, r.statusCode());
        assertTrue(error(r).getString("message", "").contains("nests deeper"));
    }

    @Test
    void apiAnswers_neverCarryTheSecrets() {
        String status = daemon.get("/api/status").body() + daemon.get("/api/metrics").body()
                + daemon.get("/api/jobs").body();
        assertFalse(status.contains("test-api-key-0123456789"));
    }
}
