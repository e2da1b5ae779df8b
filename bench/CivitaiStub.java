import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A loopback stand-in for Civitai for the library benchmark: POST /api/v1/model-versions/by-hash
 * answers [] (Civitai knows none of the files), so the identification after each scan takes one
 * local request per 100 files instead of the retries with backoff a closed port costs; anything
 * else is a 404. Counts the requests on stderr at exit. Prints its port.
 * Run: java bench/CivitaiStub.java
 */
public class CivitaiStub {
    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        java.util.concurrent.atomic.AtomicLong asked = new java.util.concurrent.atomic.AtomicLong();
        server.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                boolean byHash = "POST".equals(ex.getRequestMethod())
                        && ex.getRequestURI().getPath().equals("/api/v1/model-versions/by-hash");
                byte[] body = (byHash ? "[]" : "{\"error\":\"not found\"}").getBytes(StandardCharsets.UTF_8);
                if (byHash) {
                    asked.incrementAndGet();
                }
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(byHash ? 200 : 404, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("by-hash requests: " + asked.get())));
        server.start();
        System.out.println(server.getAddress().getPort());
    }
}
