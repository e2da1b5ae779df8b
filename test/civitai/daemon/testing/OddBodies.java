package civitai.daemon.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The bodies of {@link FakeStorage}'s stranger faults: one with no length that does not end, and
 * one gzipped that nobody asked for. Static and stateless.
 */
final class OddBodies {
    private static final int CHUNK = 64 * 1024;

    private OddBodies() {}

    /**
     * 200 with no Content-Length (the JDK server then frames it chunked; {@link EndlessHost} sends
     * the close-delimited kind), the file's bytes repeated until {@code bytes} are sent or the
     * client hangs up.
     */
    static void endless(HttpExchange ex, FakeStorage.Request request, String etag, byte[] content,
            long bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Connection", "close");
        request.status().set(200);
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        long sent = 0;
        try {
            for (int at = 0; sent < bytes; ) {
                int n = (int) Math.min(Math.min(CHUNK, content.length - at), bytes - sent);
                out.write(content, at, n);
                sent += n;
                at = (at + n) % content.length;
                request.bytesSent().addAndGet(n);
            }
            out.flush();
        } catch (IOException e) {
            // the client hung up: what a bounded reader does
        }
    }

    /** The file gzipped, with {@code Content-Encoding: gzip} and the compressed length. */
    static void gzip(HttpExchange ex, FakeStorage.Request request, String etag, String type,
            byte[] content) throws IOException {
        var packed = new ByteArrayOutputStream();
        try (var zip = new GZIPOutputStream(packed)) {
            zip.write(content);
        }
        byte[] body = packed.toByteArray();
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Content-Encoding", "gzip");
        ex.getResponseHeaders().set("ETag", etag);
        request.status().set(200);
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        request.bytesSent().addAndGet(body.length);
    }
}
