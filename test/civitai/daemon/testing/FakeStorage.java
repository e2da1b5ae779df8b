package civitai.daemon.testing;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A storage host (like Cloudflare R2) on 127.0.0.1: serves real bytes at {@code /files/<name>},
 * honours Range and If-Range with strong ETags, checks signed-URL expiry, rejects any request that
 * carries an Authorization header (as R2 does, with 400), records every request, and applies
 * queued {@link Fault}s one request at a time.
 */
public final class FakeStorage implements AutoCloseable {
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final int CHUNK = 64 * 1024;

    /** One request as the storage host saw it. */
    public record Request(String name, String query, Map<String, List<String>> headers,
            AtomicLong bytesSent, AtomicInteger status) {
        public String header(String key) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private record StoredFile(byte[] content, String etag, String disposition) {}

    private final HttpServer server;
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final Map<String, Queue<Fault>> faults = new ConcurrentHashMap<>();
    private final Map<String, Queue<Fault>> segmentFaults = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> concurrent = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> maxConcurrent = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger etagVersion = new AtomicInteger();
    private volatile long bytesPerSecond;
    private volatile String contentType = "application/octet-stream";
    private volatile boolean ranges = true;
    private volatile long rangeCap;

    public FakeStorage() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/files/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Stores {@code content} under {@code name}; returns its plain URL. */
    public URI put(String name, byte[] content) {
        return put(name, content, "attachment; filename=\"" + name + "\"");
    }

    public URI put(String name, byte[] content, String contentDisposition) {
        files.put(name, new StoredFile(content.clone(), "\"v" + etagVersion.incrementAndGet() + "-"
                + Bytes.sha256(content).substring(0, 16) + "\"", contentDisposition));
        return url(name);
    }

    public URI url(String name) {
        return base().resolve("/files/" + name);
    }

    /**
     * A presigned URL in S3/R2 style, valid for {@code validSeconds} from {@code signedAt}.
     * X-Amz-Date has whole seconds, so a URL valid for 1 s signed at .98 would expire 20 ms later:
     * the exact moment rides along in a parameter of this fake's own, which the expiry check uses.
     */
    public URI signedUrl(String name, Instant signedAt, long validSeconds) {
        return URI.create(url(name)
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2Fauto" + "&X-Amz-Date="
                + AMZ_DATE.format(LocalDateTime.ofInstant(signedAt, ZoneOffset.UTC))
                + "&X-Amz-Expires=" + validSeconds
                + "&X-Amz-SignedHeaders=host&X-Amz-Signature=feedface0123"
                + "&x-fake-signed-ms=" + signedAt.toEpochMilli());
    }

    /** Queues faults for the next requests of {@code name}, one each. */
    public void fault(String name, Fault... next) {
        faults.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>()).addAll(List.of(next));
    }

    /**
     * Queues faults for the next requests of {@code name} that ask for a range starting past byte
     * 0 (a segment of a segmented download, not its first request), one each.
     */
    public void faultSegments(String name, Fault... next) {
        segmentFaults.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>())
                .addAll(List.of(next));
    }

    /** Serves files with this Content-Type (nginx without a MIME table says text/plain). */
    public void contentType(String type) {
        this.contentType = type;
    }

    /**
     * Whether Range is honoured at all; a server without range support answers 200 to every
     * request.
     */
    public void ranges(boolean supported) {
        this.ranges = supported;
    }

    /**
     * Answers every Range request with at most {@code bytes} bytes (its Content-Range says so
     * truthfully), as a host that serves a file in tiny pieces; 0: whole ranges.
     */
    public void capRanges(long bytes) {
        this.rangeCap = bytes;
    }

    /** Paces every answer to about this many bytes per second (0: as fast as possible). */
    public void pace(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    public List<Request> requests(String name) {
        return requests.stream().filter(r -> r.name().equals(name)).toList();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public long bytesSent(String name) {
        return requests(name).stream().mapToLong(r -> r.bytesSent().get()).sum();
    }

    public int maxConcurrent(String name) {
        return maxConcurrent.getOrDefault(name, new AtomicInteger()).get();
    }

    public int maxConcurrentOverall() {
        return maxConcurrent.getOrDefault("*", new AtomicInteger()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String name = ex.getRequestURI().getPath().substring("/files/".length());
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
            Request request = new Request(name, ex.getRequestURI().getRawQuery(), headers,
                    new AtomicLong(), new AtomicInteger());
            requests.add(request);
            enter(name);
            try {
                serve(ex, name, request);
            } finally {
                leave(name);
            }
        }
    }

    private void enter(String name) {
        for (String key : List.of(name, "*")) {
            int now = concurrent.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            maxConcurrent.computeIfAbsent(key, k -> new AtomicInteger())
                    .accumulateAndGet(now, Math::max);
        }
    }

    private void leave(String name) {
        concurrent.get(name).decrementAndGet();
        concurrent.get("*").decrementAndGet();
    }

    private void serve(HttpExchange ex, String name, Request request) throws IOException {
        if (request.header("Authorization") != null) {  // what R2 and B2 do with a Bearer token
            send(ex, request, 400, "application/xml", "<Error><Code>InvalidArgument</Code>"
                    + "<Message>Authorization header is not allowed with a presigned"
                    + " URL</Message></Error>");
            return;
        }
        if (expired(ex.getRequestURI().getRawQuery())) {
            send(ex, request, 403, "application/xml", "<Error><Code>AccessDenied</Code>"
                    + "<Message>Request has expired</Message></Error>");
            return;
        }
        StoredFile file = files.get(name);
        if (file == null) {
            send(ex, request, 404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>");
            return;
        }
        Queue<Fault> forSegments = segmentFaults.get(name);
        String asked = request.header("Range");
        Fault fault = forSegments != null && asked != null && !asked.startsWith("bytes=0-")
                ? forSegments.poll() : null;
        if (fault == null) {
            Queue<Fault> queue = faults.get(name);
            fault = queue == null ? null : queue.poll();
        }
        if (fault instanceof Fault.Status s) {
            s.headers().forEach(ex.getResponseHeaders()::set);
            send(ex, request, s.status(), s.contentType(), s.body());
            return;
        }
        byte[] content = fault instanceof Fault.WrongBytes ? corrupted(file.content())
                : file.content();
        switch (fault) {
            case Fault.Endless e -> OddBodies.endless(ex, request, file.etag(), content, e.bytes());
            case Fault.Gzip g -> OddBodies.gzip(ex, request, file.etag(), contentType, content);
            case null, default -> serveFile(ex, request, file, content, fault);
        }
    }

    private void serveFile(HttpExchange ex, Request request, StoredFile file, byte[] content,
            Fault fault) throws IOException {
        Headers out = ex.getResponseHeaders();
        out.set("Content-Type", contentType);
        if (ranges) {
            out.set("Accept-Ranges", "bytes");
        }
        out.set("ETag", file.etag());
        out.set("Content-Disposition", file.disposition());
        long[] range = range(request, file, fault, content.length);
        if (range != null && range[0] < 0) {
            out.set("Content-Range", "bytes */" + content.length);
            request.status().set(416);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        long start = range == null ? 0 : range[0];
        long end = range == null ? content.length : range[1];
        int status = range != null ? 206 : 200;
        if (status == 206) {
            long shift = fault instanceof Fault.WrongRange w ? w.shift() : 0;
            out.set("Content-Range", "bytes " + (start + shift) + "-" + (end - 1 + shift) + "/"
                    + content.length);
        }
        if (fault instanceof Fault.NewEtag) {
            out.set("ETag", "\"changed-" + etagVersion.incrementAndGet() + "\"");
        }
        long length = fault instanceof Fault.Length l ? l.contentLength() : end - start;
        request.status().set(status);
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        long limit = switch (fault) {
            case Fault.Drop d -> d.bytes();
            case Fault.DropAndReplace d -> d.bytes();
            case Fault.Stall s -> s.bytes();
            case null, default -> length;
        };
        long rate = fault instanceof Fault.Slow slow ? slow.bytesPerSecond() : bytesPerSecond;
        if (fault instanceof Fault.Hold h && h.bytes() < end - start) {
            writeBody(ex.getResponseBody(), content, (int) start, h.bytes(), request, rate);
            ex.getResponseBody().flush();
            try {
                h.release().await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            start += h.bytes();
        }
        writeBody(ex.getResponseBody(), content, (int) start, Math.min(limit, end - start), request,
                rate);
        if (fault instanceof Fault.DropAndReplace d) {
            put(request.name(), d.replacement(), file.disposition());
        }
        if (fault instanceof Fault.Stall) {
            ex.getResponseBody().flush();
            awaitClose();
        }
    }

    /**
     * The asked-for bytes [start, end) as nginx reads a single Range ({@code bytes=a-b},
     * {@code bytes=a-}, {@code bytes=-n}), null to send the whole file with 200, or start -1 when
     * the range cannot be satisfied (416).
     */
    private long[] range(Request request, StoredFile file, Fault fault, long size) {
        String range = request.header("Range");
        if (range == null || !ranges || fault instanceof Fault.IgnoreRange
                || !range.startsWith("bytes=") || range.contains(",")) {
            return null;
        }
        String ifRange = request.header("If-Range");
        if (ifRange != null && !ifRange.equals(file.etag())) {
            return null;  // the file changed since the client's copy: send all of it
        }
        String spec = range.substring("bytes=".length()).strip();
        int dash = spec.indexOf('-');
        String first = spec.substring(0, dash).strip();
        String last = spec.substring(dash + 1).strip();
        if (first.isEmpty()) {  // a suffix: the last n bytes
            long n = Math.min(Long.parseLong(last), size);
            return n == 0 ? new long[] {-1, 0} : new long[] {size - n, size};
        }
        long start = Long.parseLong(first);
        if (start >= size) {
            return new long[] {-1, 0};
        }
        long end = last.isEmpty() ? size : Math.min(size, Long.parseLong(last) + 1);
        if (rangeCap > 0) {
            end = Math.min(end, start + rangeCap);
        }
        return end <= start ? null : new long[] {start, end};
    }

    private void writeBody(OutputStream out, byte[] content, int offset, long count,
            Request request, long rate) throws IOException {
        long written = 0;
        long startNanos = System.nanoTime();
        while (written < count) {
            int n = (int) Math.min(CHUNK, count - written);
            out.write(content, offset + (int) written, n);
            written += n;
            request.bytesSent().addAndGet(n);
            pause(written, startNanos, rate);
        }
        out.flush();
    }

    private static void pause(long written, long startNanos, long rate) {
        if (rate <= 0) {
            return;
        }
        long due = startNanos + (long) (written * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void send(HttpExchange ex, Request request, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        request.status().set(status);
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static boolean expired(String query) {
        if (query == null || !query.contains("X-Amz-Expires=")) {
            return false;
        }
        Map<String, String> params = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        Instant signed = params.containsKey("x-fake-signed-ms")
                ? Instant.ofEpochMilli(Long.parseLong(params.get("x-fake-signed-ms")))
                : LocalDateTime.parse(params.get("X-Amz-Date"), AMZ_DATE).toInstant(ZoneOffset.UTC);
        return Instant.now().isAfter(signed.plusSeconds(Long.parseLong(params.get(
                "X-Amz-Expires"))));
    }

    private static byte[] corrupted(byte[] content) {
        byte[] copy = content.clone();
        for (int i = 0; i < copy.length; i += 4096) {
            copy[i] ^= 0x5a;
        }
        return copy;
    }

    private void awaitClose() {
        try {
            closed.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The names of requests in the order they arrived, for ordering checks. */
    public List<String> order() {
        List<String> names = new ArrayList<>();
        for (Request r : requests) {
            if (names.isEmpty() || !names.get(names.size() - 1).equals(r.name())) {
                names.add(r.name());
            }
        }
        return names;
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
