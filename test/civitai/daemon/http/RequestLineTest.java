package civitai.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed request lines sent as raw bytes. Those that reach the daemon's code get the API's
 * JSON error, naming no exception class; those the JDK's server refuses before any of our code
 * runs get the JDK's own answer, as RELIABILITY.md lists it, and the connection closed.
 */
class RequestLineTest extends DaemonTest {
    private static final Pattern EXCEPTION_NAME =
            Pattern.compile("[A-Z][A-Za-z]*(Exception|Error)\\b");

    /** One answer: status line, headers (lower-case names), body. */
    private record Answer(String statusLine, String headers, String body) {
        int status() {
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private Answer send(String head) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), daemon.port())) {
            s.setSoTimeout(10_000);
            String request = head.replace("HOST", "127.0.0.1:" + daemon.port())
                    .replace("\\r\\n", "\r\n");
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            assertTrue(end > 0, "an answer with headers: " + text);
            int firstLine = text.indexOf("\r\n");
            return new Answer(text.substring(0, firstLine),
                    text.substring(firstLine, end).toLowerCase(Locale.ROOT) + "\r\n",
                    text.substring(end + 4));
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "G(T /api/status HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n         | 400 | bad_request",
        "GET /api/status FOO\\r\\nHost: HOST\\r\\n\\r\\n              | 400 | bad_request",
        "GET /api/status HTTP/1.1 \\r\\nHost: HOST\\r\\n\\r\\n        | 400 | bad_request",
        "GET /api/status HTTP/9.9\\r\\nHost: HOST\\r\\n\\r\\n         | 400 |"
        + " http_version_not_supported",
        "GET /api/status HTTP/2.0\\r\\nHost: HOST\\r\\n\\r\\n         | 400 |"
        + " http_version_not_supported",
        "FOO /api/status HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n         | 405 | method_not_allowed",
        "GET /a%00b HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n              | 404 | not_found",
        "GET /api/jobs?status=%ff HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n | 200 | ",
        "GET http://HOST/api/status HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n | 200 | ",
    })
    void linesThatReachTheDaemon_getJson_namingNoExceptionClass(String head, int status,
            String code) throws IOException {
        start(new JsonArray());
        Answer a = send(head.strip());
        assertEquals(status, a.status(), a.toString());
        assertTrue(a.headers().contains("content-type: application/json"), a.toString());
        assertFalse(EXCEPTION_NAME.matcher(a.body()).find(), a.body());
        if (code != null) {
            JsonObject error = Json.parse(a.body()).asObject().get("error").asObject();
            assertEquals(code, error.getString("code", null));
            assertFalse(error.getString("message", "").isBlank(), a.body());
        }
        if (status == 400) {
            assertTrue(a.headers().contains("connection: close"), a.toString());
        }
    }

    /** The JDK's server answers these itself, before any filter or handler: pinned here. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET /api/status\\r\\nHost: HOST\\r\\n\\r\\n                                | 400",
        "GET /%zz HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n                              | 400",
        "GET /a{b} HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n                              | 400",
        "GET /api/status HTTP/1.1\\r\\nBad Name: x\\r\\nHost: HOST\\r\\n\\r\\n       | 400",
        "POST /api/download HTTP/1.1\\r\\nHost: HOST\\r\\nContent-Length: x\\r\\n\\r\\n | 400",
        "GET /api/status HTTP/1.1\\r\\nHost: HOST\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n | 501",
        "OPTIONS * HTTP/1.1\\r\\nHost: HOST\\r\\n\\r\\n                              | 404",
    })
    void linesTheJdkRefusesItself_areAnsweredBeforeAnyRoute(String head, int status)
    throws IOException {
        start(new JsonArray());
        Answer a = send(head.strip());
        assertEquals(status, a.status(), a.toString());
        assertTrue(a.headers().contains("content-type: text/html"), a.toString());
        assertTrue(a.headers().contains("connection: close"), a.toString());
    }
}
