package civitai.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.http.server.HostCheck;
import civitai.daemon.http.server.Router;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.log.Redactor;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error boundary: a handler's unexpected exception is a generic 500, its trace only in the log.
 */
class RouterTest {
    @TempDir Path dir;

    @Test
    void unexpectedException_isAGeneric500_andTheStackTraceGoesToErrorLog() throws Exception {
        assertGeneric500(r -> {
            throw new IllegalStateException("secret internals");
        }, "IllegalStateException: secret internals");
    }

    @Test
    void handlersOwnIOException_isA500InTheLog_notAClientThatWentAway() throws Exception {
        assertGeneric500(r -> {
            throw new IOException("disk said no: secret internals");
        }, "IOException: disk said no: secret internals");
    }

    private void assertGeneric500(Router.Handler handler, String logged) throws Exception {
        try (DaemonLog log = new DaemonLog(dir, 1 << 20, 2, new Redactor(List.of()),
                Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream()))) {
            HttpServer server = HttpServer.create(new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), 0), 8);
            Router router = new Router(List.of(new Router.Route("GET", "/api/boom", null, handler)),
                    null, new HostCheck("127.0.0.1", List.of(),
                            () -> server.getAddress().getPort()), log);
            server.createContext("/", router);
            server.start();
            try {
                var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/api/boom")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(500, r.statusCode());
                assertEquals("{\"error\":{\"code\":\"internal_error\","
                        + "\"message\":\"internal error; the daemon's error.log has"
                        + " the details\"}}", r.body().strip());
                assertFalse(r.body().contains("secret internals"));
            } finally {
                server.stop(0);
            }
        }
        String errors = Files.readString(dir.resolve("error.log"));
        assertTrue(errors.contains("unexpected error serving GET /api/boom"));
        assertTrue(errors.contains(logged) && errors.contains("\tat "), errors);
    }
}
