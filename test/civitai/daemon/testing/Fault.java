package civitai.daemon.testing;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** A misbehaviour the fake storage host applies to one request. */
public sealed interface Fault {
    /** Sends the headers of the whole answer, then only {@code bytes} bytes, then closes. */
    record Drop(long bytes) implements Fault {}

    /**
     * Sends {@code bytes} bytes of the file, replaces it with {@code replacement} (a new ETag),
     * closes.
     */
    record DropAndReplace(long bytes, byte[] replacement) implements Fault {}

    /** Sends {@code bytes} bytes, then nothing more until the test ends. */
    record Stall(long bytes) implements Fault {}

    /**
     * Sends {@code bytes} bytes, then waits (at most 30 s) until {@code release} is counted down,
     * then the rest: a download held in flight for as long as a test needs, without a pace.
     */
    record Hold(long bytes, CountDownLatch release) implements Fault {}

    /**
     * Sends the answer at {@code bytesPerSecond}, whatever the host's pace: one slow connection.
     */
    record Slow(long bytesPerSecond) implements Fault {}

    /** Answers with this status, headers and body instead of the file. */
    record Status(int status, String contentType, String body,
            Map<String, String> headers) implements Fault {
        public Status(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }
    }

    /** Answers a Range request with 200 and the whole file, as servers without Range support do. */
    record IgnoreRange() implements Fault {}

    /** Serves other bytes of the same length (a corrupted copy). */
    record WrongBytes() implements Fault {}

    /**
     * Answers a Range request with a Content-Range shifted by {@code shift} bytes from the one
     * asked (a lie).
     */
    record WrongRange(long shift) implements Fault {}

    /** Serves the same bytes under a new ETag (the file changed, as far as the client can tell). */
    record NewEtag() implements Fault {}

    /** Sends a Content-Length of this value (and that many bytes). */
    record Length(long contentLength) implements Fault {}

    /**
     * Answers 200 with no Content-Length and {@code Connection: close}, then sends the file's bytes
     * over and over, {@code bytes} in all (a bound for the test, far beyond any expected size),
     * or until the client hangs up: a host that streams forever.
     */
    record Endless(long bytes) implements Fault {}

    /**
     * Sends the file gzipped with {@code Content-Encoding: gzip}, whatever the request accepted.
     */
    record Gzip() implements Fault {}
}
