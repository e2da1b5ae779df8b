package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.SseClient;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * A file fetched as several Range requests into one part, hashed in order: each fault on one
 * segment, the fallbacks to one connection, a server without ranges and a file too small to split.
 */
class SegmentedTest extends DaemonTest {
    static final int SIZE = 2_000_000;
    byte[] content = Bytes.random(SIZE, 77);

    private Object[] segmented(Object... more) {
        Object[] base = {"connections_per_download", 4, "min_segment_size", 65_536};
        Object[] all = new Object[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private long startOn(String name, Object... config) {
        var url = storage.put(name, content);
        start(config(segmented(config)),
                manifest(entry("lora", name + ".safetensors", url, Bytes.sha256(content))));
        return daemon.idOf(name + ".safetensors");
    }

    private void assertCompleted(long id, String name) throws IOException {
        daemon.await(id, "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/" + name + ".safetensors")));
        assertEquals(Bytes.sha256(content), daemon.job(id).get("sha256"));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM part_ranges WHERE job_id = ?", id),
                "the journal is cleared once the file is in place");
    }

    private List<FakeStorage.Request> boundedRanges(String name) {
        return storage.requests(name).stream().filter(r -> r.header("Range") != null
                && r.header("Range").matches("bytes=\\d+-\\d+")).toList();
    }

    @Test
    void bigFile_isFetchedBySeveralConnections_intoOnePart() throws IOException {
        storage.pace(2_000_000);
        long id = startOn("multi");
        assertCompleted(id, "multi");
        assertTrue(storage.maxConcurrent("multi") >= 2,
                "connections at once: " + storage.maxConcurrent("multi"));
        assertTrue(boundedRanges("multi").size() >= 3,
                "bounded Range requests: " + storage.requests("multi").size());
        long sent = storage.bytesSent("multi");
        assertTrue(sent < SIZE + 4 * 256 * 1024,
                "no byte fetched twice beyond a cut-off piece: " + sent);
    }

    @Test
    void maxDownloadSpeed_capsAllConnectionsOfADownloadTogether() throws IOException {
        storage.pace(2_000_000);  // per connection, so a request lasts and the others join it
        long started = System.nanoTime();
        long id = startOn("capped", "max_download_speed", 500_000);
        assertCompleted(id, "capped");
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(storage.maxConcurrent("capped") >= 2,
                "connections at once: " + storage.maxConcurrent("capped"));
        // a lower bound only, which a slow machine cannot break: 2 MB at 500 kB/s is 4 s, less the
        // quarter second the limiter lets through at once; 4 uncapped connections would take ~0.25
        // s
        assertTrue(millis >= 3_700, "took " + millis + " ms");
    }

    @Test
    void aSlowConnectionsPiece_isSplit_andAnIdleConnectionTakesItsBackHalf() throws IOException {
        byte[] big = Bytes.random(8 << 20, 78);
        var url = storage.put("slow", big);
        // one connection's first piece (1 MiB) comes at 100 kB/s, ~10 s; the others are not paced
        storage.faultSegments("slow", new Fault.Slow(100_000));
        start(config(segmented("min_segment_size", 1 << 20)),
                manifest(entry("lora", "slow.safetensors", url, Bytes.sha256(big))));
        long id = daemon.idOf("slow.safetensors");
        daemon.await(id, "completed");
        assertArrayEquals(big, Files.readAllBytes(daemon.models()
                .resolve("lora/slow.safetensors")));

        // the slow connection's request stopped short of its piece, whose back half another asked
        // for
        var ranges = storage.requests("slow").stream().filter(r -> r.header("Range") != null
                && r.header("Range").matches("bytes=\\d+-\\d+")).toList();
        boolean split = false;
        for (var r : ranges) {
            long from = Long.parseLong(r.header("Range").replaceAll("bytes=(\\d+)-\\d+", "$1"));
            long to = Long.parseLong(r.header("Range").replaceAll("bytes=\\d+-(\\d+)", "$1"));
            split |= r.bytesSent().get() < to + 1 - from && ranges.stream().anyMatch(other -> {
                long start = Long.parseLong(other.header("Range")
                        .replaceAll("bytes=(\\d+)-\\d+", "$1"));
                return start > from && start <= to;
            });
        }
        assertTrue(split, "a piece cut short and its back half asked for: "
                + storage.requests("slow").stream()
                        .map(r -> r.header("Range") + " sent " + r.bytesSent().get()).toList());
    }

    @Test
    void aPieceAboutToFinish_isNotSplit() throws IOException {
        byte[] four = Bytes.random(4 << 20, 79);
        var url = storage.put("even", four);
        storage.pace(2_000_000);  // per connection: a 1 MiB piece in half a second
        // one piece comes at 800 kB/s: when the others are done it has ~650 kB left, under a second
        storage.faultSegments("even", new Fault.Slow(800_000));
        start(config(segmented("min_segment_size", 1 << 20)),
                manifest(entry("lora", "even.safetensors", url, Bytes.sha256(four))));
        daemon.await(daemon.idOf("even.safetensors"), "completed");
        assertArrayEquals(four, Files.readAllBytes(daemon.models()
                .resolve("lora/even.safetensors")));
        var ranges = storage.requests("even").stream().map(r -> r.header("Range")).toList();
        assertTrue(ranges.stream().filter(Objects::nonNull)
                .allMatch(r -> Long.parseLong(r.substring("bytes=".length(),
                        r.indexOf('-'))) % (1 << 20) == 0),
                "no piece was split: " + ranges);
    }

    @Test
    void droppedSegment_resumesThatSegmentOnly() throws IOException {
        storage.pace(2_000_000);
        storage.faultSegments("drop", new Fault.Drop(60_000));
        long id = startOn("drop");
        assertCompleted(id, "drop");
        assertEquals(1L, attempts(id), "one attempt: the segment resumed on its own");
    }

    @Test
    void stalledSegment_isCutAndResumed() throws IOException {
        storage.pace(2_000_000);
        storage.faultSegments("stall", new Fault.Stall(30_000));
        long id = startOn("stall", "stall_timeout", 0.5);
        assertCompleted(id, "stall");
    }

    @Test
    void busySegment_503_halvesTheConnections_andHonoursRetryAfter() throws IOException {
        storage.pace(2_000_000);
        storage.faultSegments("busy", new Fault.Status(503, "text/plain", "slow down",
                Map.of("Retry-After", "1")));
        long id = startOn("busy");
        assertCompleted(id, "busy");
        assertTrue(storage.requests("busy").stream().anyMatch(r -> r.status().get() == 503));
    }

    @Test
    void etagChangedMidway_restartsWithOneConnection() throws IOException {
        storage.pace(2_000_000);
        storage.faultSegments("etag", new Fault.NewEtag());
        long id = startOn("etag");
        assertCompleted(id, "etag");
        var requests = storage.requests("etag");
        var last = requests.get(requests.size() - 1);
        assertEquals(null, last.header("Range"),
                "the restart fetches the whole file: " + last.headers());
        assertTrue(((String) attemptRows(id).get(0).get("error")).contains("changed"));
    }

    @Test
    void lyingContentRange_fallsBackToOneConnection_withoutCorruptingThePart() throws IOException {
        storage.pace(2_000_000);
        storage.faultSegments("lie", new Fault.WrongRange(1000));
        long id = startOn("lie");
        assertCompleted(id, "lie");
        assertTrue(((String) attemptRows(id).get(0).get("error")).contains("Content-Range"));
        var last = storage.requests("lie").get(storage.requests("lie").size() - 1);
        assertTrue(last.header("Range") == null || last.header("Range").matches("bytes=\\d+-"),
                "the next attempt is one open-ended request: " + last.header("Range"));
    }

    @Test
    void serverWithoutRanges_usesOneConnection() throws IOException {
        storage.pace(4_000_000);
        storage.ranges(false);
        long id = startOn("noranges");
        assertCompleted(id, "noranges");
        assertEquals(1, storage.requests("noranges").size());
        assertEquals(1, storage.maxConcurrent("noranges"));
    }

    @Test
    void fileSmallerThanMinSegmentSize_usesOneConnection() throws IOException {
        var url = storage.put("small", content);
        start(config("connections_per_download", 4),
                manifest(entry("lora", "small.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("small.safetensors");
        assertCompleted(id, "small");
        assertEquals(1, storage.requests("small").size(),
                "2 MB is below the default 32 MiB segment");
    }

    @Test
    void signedUrlExpiringMidway_isResolvedOnceForAllSegments() throws IOException {
        long version = 900_077;
        civitai.addVersion(version, "signed.safetensors", content);
        civitai.signedUrlSeconds(1);
        // each connection needs seconds: they reconnect after the URL expired
        storage.pace(200_000);
        storage.faultSegments(civitai.objectName(civitai.file(version)), new Fault.Drop(300_000),
                new Fault.Drop(300_000));
        start(config(segmented()), manifest(entry("lora", "signed.safetensors",
                civitai.downloadUrl(version), Bytes.sha256(content))));
        long id = daemon.idOf("signed.safetensors");
        Poll.until(() -> civitai.downloadHits(version) == 1, () -> "the first Civitai call");
        civitai.signedUrlSeconds(3600);  // the renewed URL stays valid
        assertCompleted(id, "signed");
        assertEquals(2, civitai.downloadHits(version),
                () -> "one Civitai call to start, one to renew for all: "
                + storage.requests().stream().map(r -> r.header("Range") + " " + r.status().get())
                        .toList());
        assertTrue(storage.requests().stream().anyMatch(r -> r.status().get() == 403),
                "the URL did expire");
    }

    @Test
    void apiAndEvents_showEachDownloadsConnections() throws IOException {
        storage.pace(500_000);
        var url = storage.put("shown", content);
        start(config(segmented()), manifest());
        try (SseClient sse = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            daemon.post("/api/download", entry("lora", "shown.safetensors", url,
                    Bytes.sha256(content)).toString());
            long id = daemon.idOf("shown.safetensors");
            Poll.until(() -> connectionsIn(daemon.getJson("/api/status")) >= 2,
                    () -> "connections in /api/status: " + daemon.get("/api/status").body());
            assertTrue(daemon.getJson("/api/jobs/" + id).get("job").asObject()
                    .getInt("connections", 0) >= 1);
            sse.await(e -> e.name().equals("job.progress")
                    && e.data().matches(".*\"connections\":[2-9].*"),
                    "a progress event with several connections");
            assertCompleted(id, "shown");
        }
    }

    private static int connectionsIn(JsonObject status) {
        var active = status.get("active").asArray();
        return active.isEmpty() ? 0 : active.get(0).asObject().getInt("connections", 0);
    }

    @Test
    void connectionsToOneHost_stayWithinMaxConnectionsPerHost() throws IOException {
        storage.pace(1_000_000);
        var a = storage.put("capA", content);
        var b = storage.put("capB", content);
        start(config(segmented("workers", 2, "max_connections_per_host", 3, "throttle", 0)),
                manifest(entry("lora", "capA.safetensors", a, Bytes.sha256(content)),
                entry("lora", "capB.safetensors", b, Bytes.sha256(content))));
        long idA = daemon.idOf("capA.safetensors");
        long idB = daemon.idOf("capB.safetensors");
        int most = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (daemon.db().count("SELECT count(*) FROM jobs WHERE state = 'completed'") < 2
                && System.nanoTime() < deadline) {  // the daemon's own count, sampled as it runs
            var active = daemon.getJson("/api/status").get("active").asArray();
            int now = 0;
            for (var download : active) {
                now += download.asObject().getInt("connections", 0);
            }
            most = Math.max(most, now);
        }
        assertCompleted(idA, "capA");
        assertCompleted(idB, "capB");
        assertTrue(most <= 3, "at most 3 connections to the host at once: " + most);
        assertTrue(most >= 2, "both downloads ran: " + most);
    }
}
