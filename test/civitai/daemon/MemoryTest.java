package civitai.daemon;

import static civitai.daemon.testing.TestDaemon.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The daemon as a user runs it (a child JVM with lib/jvm.options, so its 64 MiB heap): many
 * segmented downloads at once stay within the heap, because every download's transfer buffers
 * come from one shared budget. Before that budget, make bench's 8 downloads of 4 connections each
 * (nginx on loopback, 40 MB/s per connection) once ended in "Terminating due to
 * java.lang.OutOfMemoryError"; this smaller run did not reproduce that, so it guards the shape.
 * A batch is bounded so that the largest accepted one fits that heap too.
 */
class MemoryTest extends DaemonTest {
    static final int FILES = 8;
    static final int SIZE = 12 << 20;

    @Test
    void eightSegmentedDownloadsAtOnce_fitTheShippedHeap() throws IOException {
        List<byte[]> contents = new ArrayList<>();
        JsonArray entries = new JsonArray();
        for (int i = 0; i < FILES; i++) {
            byte[] content = Bytes.random(SIZE, 500 + i);
            contents.add(content);
            entries.add(entry("checkpoint", "m" + i + ".safetensors", storage.put("m" + i, content),
                    Bytes.sha256(content)));
        }
        Files.writeString(dir.resolve("config.json"),
                config("workers", FILES, "connections_per_download", 4, "min_segment_size", 1 << 20,
                        "max_connections_per_host", 4 * FILES).toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"), entries.toString());
        // per connection: every download's segments overlap (unpaced, one may finish alone)
        storage.pace(4_000_000);
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon child = ChildDaemon.start(dir.resolve("config.json"),
                dir.resolve("child.out"))) {
            child.awaitPort();
            Poll.until(() -> !child.isAlive()
                    || db.count("SELECT count(*) FROM jobs WHERE state IN"
                    + " ('completed', 'failed')") == FILES,
                    () -> "every download to end: "
                    + db.query("SELECT id, state, last_error FROM jobs"));
            assertFalse(child.output().contains("OutOfMemoryError"), child.output());
            assertTrue(child.isAlive(), "the daemon is still running\n" + child.output());
            assertTrue(IntStream.range(0, FILES).allMatch(i -> storage.maxConcurrent("m" + i) >= 2),
                    "every file was fetched by several connections");
        }
        for (int i = 0; i < FILES; i++) {
            assertArrayEquals(contents.get(i),
                    Files.readAllBytes(dir.resolve("models/checkpoint/m" + i + ".safetensors")),
                    "file " + i);
        }
    }
    @Test
    void aBatchTooBigForTheHeap_isRefused_andAFullSizeOneFits() throws Exception {
        Files.writeString(dir.resolve("config.json"),
                config("workers", 1).toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"), "[]");
        try (ChildDaemon child = ChildDaemon.start(dir.resolve("config.json"),
                dir.resolve("child.out"))) {
            int port = child.awaitPort();
            // 15 MB of valid entries: under a 16 MiB limit, parsing this would end the daemon
            // with OutOfMemoryError
            var big = post(port, batch(10_000, 1_400));
            assertEquals(413, big.statusCode(), big.body());
            // the most the limit lets in: 10,000 entries in just under 4 MiB
            var full = post(port, batch(10_000, 200));
            assertEquals(202, full.statusCode(), full.body());
            assertFalse(child.output().contains("OutOfMemoryError"), child.output());
            assertTrue(child.isAlive(), "the daemon is still running\n" + child.output());
        }
    }

    /** {@code n} entries, each with an extra field of {@code padding} characters. */
    private static String batch(int n, int padding) {
        JsonArray entries = new JsonArray();
        for (int i = 0; i < n; i++) {
            entries.add(entry("lora", "b" + i + ".safetensors",
                    URI.create("http://127.0.0.1:9/b" + i), "a".repeat(64))
                            .add("notes", "n".repeat(padding)));
        }
        return entries.toString();
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        try (var client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/api/batch")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
