package civitai.daemon;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.ChildDaemon;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Db;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.WriterConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The daemon as a separate process: SIGKILL mid-download and SIGTERM. */
class CrashTest extends DaemonTest {
    static final int SIZE = 4_000_000;
    byte[] content = Bytes.random(SIZE, 31);
    Path part;

    private ChildDaemon startChild(String outputName) {
        return ChildDaemon.start(dir.resolve("config.json"), dir.resolve(outputName));
    }

    private void writeFiles() throws IOException {
        var url = storage.put("big", content);
        Files.writeString(dir.resolve("config.json"), config().toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"),
                manifest(entry("checkpoint", "big.safetensors", url, Bytes.sha256(content)))
                        .toString());
        part = dir.resolve("models/checkpoint/big.safetensors.part");
    }

    private void awaitSomeBytes() {
        Poll.until(() -> Files.exists(part) && part.toFile().length() > 500_000,
                () -> "bytes in the part");
    }

    @Test
    void killedWithSigkill_restartsAndFetchesOnlyTheMissingBytes() throws IOException {
        writeFiles();
        storage.pace(1_000_000);
        try (ChildDaemon first = startChild("first.out")) {
            first.awaitPort();
            awaitSomeBytes();
            first.kill9();
        }
        Db db = new Db(dir.resolve("completed.db"));
        assertEquals("downloading", db.one("SELECT state FROM jobs").get("state"),
                "the crash left it mid-way");
        long kept = Files.size(part);
        storage.pace(0);

        try (ChildDaemon second = startChild("second.out")) {
            second.awaitPort();
            Poll.until(() -> "completed".equals(db.one("SELECT state FROM jobs").get("state")),
                    () -> "completion after restart: " + db.query("SELECT * FROM jobs") + "\n"
                    + second.output());
        }
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(
                "models/checkpoint/big.safetensors")));
        FakeStorage.Request resume = storage.requests("big").get(1);
        assertEquals("bytes=" + kept + "-", resume.header("Range"));
        assertEquals(SIZE - kept, resume.bytesSent().get(), "only the missing bytes were fetched");
        assertEquals(Bytes.sha256(content), db.one("SELECT sha256 FROM jobs").get("sha256"));
    }

    @Test
    void killedWithSegmentsInFlight_resumesEverySegment_fetchingOnlyWhatTheJournalLacks()
            throws IOException {
        var url = storage.put("seg", content);
        Files.writeString(dir.resolve("config.json"),
                config("connections_per_download", 4, "min_segment_size", 65_536)
                .toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"),
                manifest(entry("checkpoint", "seg.safetensors", url, Bytes.sha256(content)))
                        .toString());
        Path segPart = dir.resolve("models/checkpoint/seg.safetensors.part");
        // the journal is written twenty times a second: the kill comes with segments in flight
        storage.pace(200_000);
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon first = startChild("first.out")) {
            first.awaitPort();
            Poll.until(() -> journalled(db) > 800_000,
                    () -> "ranges in the journal: " + db.query("SELECT * FROM part_ranges") + "\n"
                    + first.output());
            assertTrue(storage.maxConcurrent("seg") >= 2, "segments were in flight");
            first.kill9();
        }
        assertTrue(db.count("SELECT count(*) FROM part_ranges WHERE boot_id IS NOT NULL"
                + " AND end_byte > start") > 0,
                "ranges written but not yet synced are journalled for this boot: "
                + db.query("SELECT * FROM part_ranges"));
        byte[] onDisk = Files.readAllBytes(segPart);
        var ranges = db.query("SELECT start, end_byte FROM part_ranges WHERE end_byte > start"
                + " ORDER BY start");
        for (var r : ranges) {
            int from = ((Number) r.get("start")).intValue();
            int to = ((Number) r.get("end_byte")).intValue();
            assertArrayEquals(Arrays.copyOfRange(content, from, to),
                    Arrays.copyOfRange(onDisk, from, to), "the journal claims only bytes on disk");
        }
        int before = storage.requests("seg").size();
        storage.pace(0);

        try (ChildDaemon second = startChild("second.out")) {
            second.awaitPort();
            Poll.until(() -> "completed".equals(db.one("SELECT state FROM jobs").get("state")),
                    () -> "completion after restart: " + db.query("SELECT * FROM jobs") + "\n"
                    + second.output());
        }
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(
                "models/checkpoint/seg.safetensors")));
        var after = storage.requests("seg").subList(before, storage.requests("seg").size());
        // each asked-for range lies in a gap of the journal: nothing on disk is fetched again
        for (var r : after) {
            String[] asked = r.header("Range").substring("bytes=".length()).split("-");
            long from = Long.parseLong(asked[0]);
            long to = Long.parseLong(asked[1]) + 1;
            for (var j : ranges) {
                long start = ((Number) j.get("start")).longValue();
                long end = ((Number) j.get("end_byte")).longValue();
                assertTrue(to <= start || from >= end,
                        r.header("Range") + " overlaps the journalled " + j);
            }
        }
        // a synced range and the written one after it touch
        TreeMap<Long, Long> merged = new TreeMap<>();
        for (var j : ranges) {
            long start = ((Number) j.get("start")).longValue();
            long end = ((Number) j.get("end_byte")).longValue();
            var last = merged.lastEntry();
            if (last != null && last.getValue() >= start) {
                merged.put(last.getKey(), Math.max(last.getValue(), end));
            } else {
                merged.put(start, end);
            }
        }
        // and each journalled range is continued right where it ends
        for (long end : merged.values()) {
            assertTrue(end == SIZE || after.stream()
                    .anyMatch(r -> r.header("Range").startsWith("bytes=" + end + "-")),
                    "a request continues at byte " + end + " (journal: " + ranges + ")");
        }
        assertTrue(after.stream().allMatch(r ->
                r.header("Range") != null && r.header("If-Range") != null),
                "every resumed segment is a guarded Range request");
        assertEquals(0, db.count("SELECT count(*) FROM part_ranges"));
    }

    @Test
    void killedWithSegmentsInFlight_thenOneConnection_fetchesOnlyTheGapsOfTheJournal()
            throws IOException {
        var url = storage.put("seg", content);
        Files.writeString(dir.resolve("config.json"),
                config("connections_per_download", 4, "min_segment_size", 65_536)
                .toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"),
                manifest(entry("checkpoint", "seg.safetensors", url, Bytes.sha256(content)))
                        .toString());
        // per connection: the part takes ~10 s, so the half-second syncs journal ranges first
        storage.pace(100_000);
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon first = startChild("first.out")) {
            first.awaitPort();
            // pieces go out in file order, so the journal often merges into one prefix: when it has
            // gaps at the kill, the resume must fetch only them; either way only the unjournalled
            // rest
            Poll.until(() -> journalled(db) > 800_000,
                    () -> "later ranges in the journal: " + db.query("SELECT * FROM part_ranges")
                    + "\n" + first.output());
            first.kill9();
        }
        long kept = journalled(db);
        int before = storage.requests("seg").size();
        storage.pace(0);
        Files.writeString(dir.resolve("config.json"),
                config("connections_per_download", 1, "min_segment_size", 65_536)
                .toString(WriterConfig.PRETTY_PRINT));
        try (ChildDaemon second = startChild("second.out")) {
            second.awaitPort();
            Poll.until(() -> "completed".equals(db.one("SELECT state FROM jobs").get("state")),
                    () -> "completion after restart: " + db.query("SELECT * FROM jobs") + "\n"
                    + second.output());
        }
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(
                "models/checkpoint/seg.safetensors")));
        long fetched = storage.requests("seg").subList(before, storage.requests("seg").size())
                .stream().mapToLong(r -> r.bytesSent().get()).sum();
        assertEquals(SIZE - kept, fetched,
                "one connection fetched the journal's gaps, not all from its prefix");
        assertTrue(storage.maxConcurrent("seg") >= 2, "the first run had segments in flight");
    }

    @Test
    void aPrefixLeftByOneConnection_isResumedInSegments_askingEachPieceAlone() throws IOException {
        var url = storage.put("prefix", content);
        Files.writeString(dir.resolve("config.json"), config("connections_per_download", 1)
                .toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"),
                manifest(entry("checkpoint", "prefix.safetensors", url, Bytes.sha256(content)))
                        .toString());
        storage.pace(400_000);
        Path part = dir.resolve("models/checkpoint/prefix.safetensors.part");
        try (ChildDaemon first = startChild("first.out")) {
            first.awaitPort();
            Poll.until(() -> part.toFile().length() > 500_000,
                    () -> "a prefix: " + part.toFile().length());
            first.kill9();
        }
        long kept = part.toFile().length();
        int before = storage.requests("prefix").size();
        // the host sends as fast as the socket takes it: an open-ended request overruns a piece
        storage.pace(0);
        Files.writeString(dir.resolve("config.json"),
                config("connections_per_download", 4, "min_segment_size", 65_536)
                .toString(WriterConfig.PRETTY_PRINT));
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon second = startChild("second.out")) {
            second.awaitPort();
            Poll.until(() -> "completed".equals(db.one("SELECT state FROM jobs").get("state")),
                    () -> "completion after restart: " + db.query("SELECT * FROM jobs") + "\n"
                    + second.output());
        }
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(
                "models/checkpoint/prefix.safetensors")));
        var after = storage.requests("prefix").subList(before, storage.requests("prefix").size());
        for (var r : after) {
            assertTrue(r.header("Range") != null && r.header("Range").matches("bytes=\\d+-\\d+"),
                    "every request after the restart asks for one piece: " + r.header("Range"));
        }
        assertTrue(after.size() >= 2, "the rest came in pieces: " + after.size() + " request(s)");
        assertEquals(SIZE - kept, after.stream().mapToLong(r -> r.bytesSent().get()).sum(),
                "nothing fetched twice, nothing sent past a piece");
    }

    @Test
    void killedAndRebootedBeforeTheFirstSync_neverTakesTheSparsePartForAPrefix()
            throws IOException {
        var url = storage.put("seg", content);
        Files.writeString(dir.resolve("config.json"),
                config("connections_per_download", 4, "min_segment_size", 1 << 20)
                .toString(WriterConfig.PRETTY_PRINT));
        Files.writeString(dir.resolve("manifest.json"),
                manifest(entry("checkpoint", "seg.safetensors", url, Bytes.sha256(content)))
                        .toString());
        Path segPart = dir.resolve("models/checkpoint/seg.safetensors.part");
        storage.pace(100_000);  // slow: at the kill, most of what the part holds is not fsynced
        Db db = new Db(dir.resolve("completed.db"));
        try (ChildDaemon first = startChild("first.out")) {
            first.awaitPort();
            Poll.until(() -> Files.exists(segPart) && segPart.toFile().length() > 2_200_000,
                    () -> "a later segment writing far into the part\n" + first.output());
            first.kill9();
        }
        // as if the machine lost power: its new boot id voids every range that was only written
        db.update("UPDATE part_ranges SET boot_id = 'a-boot-before-the-power-loss'"
                + " WHERE boot_id IS NOT NULL");
        storage.pace(0);
        try (ChildDaemon second = startChild("second.out")) {
            second.awaitPort();
            Poll.until(() -> "completed".equals(db.one("SELECT state FROM jobs").get("state")),
                    () -> "completion after restart: " + db.query("SELECT * FROM attempts") + "\n"
                    + second.output());
        }
        assertEquals(0, db.count("SELECT count(*) FROM attempts WHERE error LIKE '%mismatch%'"),
                "a part with holes was trusted: " + db.query("SELECT * FROM attempts"));
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(
                "models/checkpoint/seg.safetensors")));
    }

    private static long journalled(Db db) {
        return db.query("SELECT start, end_byte FROM part_ranges").stream()
                .mapToLong(r -> ((Number) r.get("end_byte")).longValue()
                        - ((Number) r.get("start")).longValue())
                .sum();
    }

    @Test
    void sigterm_exitsZeroWithinSeconds_keepingThePartAndTheJob() throws IOException {
        writeFiles();
        storage.pace(1_000_000);
        try (ChildDaemon child = startChild("child.out")) {
            child.awaitPort();
            awaitSomeBytes();
            child.sigterm();
            assertEquals(0, child.awaitExit(Duration.ofSeconds(10)), child.output());
            assertTrue(child.output().contains("stopping"), child.output());
        }
        assertTrue(Files.size(part) > 500_000, "the part is kept");
        Db db = new Db(dir.resolve("completed.db"));
        assertEquals("queued", db.one("SELECT state FROM jobs").get("state"));
        assertEquals("aborted", db.one("SELECT outcome FROM attempts").get("outcome"));
    }

    @Test
    void aWriteThatFails_likeAFullDisk_failsThatJob_andTheDaemonKeepsRunning() throws IOException {
        writeFiles();
        byte[] small = Bytes.random(100_000, 32);
        Files.writeString(dir.resolve("manifest.json"), manifest(
                entry("checkpoint", "big.safetensors", storage.put("big", content),
                        Bytes.sha256(content)),
                entry("lora", "small.safetensors", storage.put("small", small),
                        Bytes.sha256(small))).toString());
        try (ChildDaemon child = ChildDaemon.startWithFileSizeLimit(dir.resolve("config.json"),
                dir.resolve("child.out"), 2048)) {
            int port = child.awaitPort();
            Db db = new Db(dir.resolve("completed.db"));
            Poll.until(() -> db.count("SELECT count(*) FROM jobs WHERE state IN"
                    + " ('failed', 'completed')") == 2,
                    () -> "both jobs to end: " + db.query("SELECT * FROM jobs") + "\n"
                    + child.output());
            var big = db.one("SELECT * FROM jobs WHERE filename = 'big.safetensors'");
            assertEquals("failed", big.get("state"));
            assertEquals("disk_error", big.get("failure_reason"));
            assertTrue(((String) big.get("last_error")).startsWith("cannot write " + part),
                    (String) big.get("last_error"));
            assertEquals("completed", db.one("SELECT state FROM jobs"
                    + " WHERE filename = 'small.safetensors'").get("state"));
            assertTrue(((String) big.get("last_error"))
                    .contains("is kept: free some space, then retry"),
                    (String) big.get("last_error"));
            assertTrue(child.isAlive());
            assertEquals(200, call(port, "GET", "/healthz").statusCode());
            var status = Json.parse(call(port, "GET", "/api/status").body()).asObject();
            var partials = status.get("partial_downloads").asObject();
            assertEquals(1, partials.getInt("jobs", 0));
            assertEquals(Files.size(part), partials.getLong("bytes", 0),
                    "the space the failed job's part holds");
        }
        assertTrue(!Files.exists(dir.resolve("models/checkpoint/big.safetensors")),
                "no partial file in the final path");
        try (ChildDaemon freed = ChildDaemon.start(dir.resolve("config.json"),
                dir.resolve("freed.out"))) {
            int port = freed.awaitPort();
            long id = ((Number) new Db(dir.resolve("completed.db"))
                    .one("SELECT id FROM jobs WHERE filename = 'big.safetensors'").get("id"))
                    .longValue();
            assertEquals(200, call(port, "POST", "/api/jobs/" + id + "/retry").statusCode());
            Poll.until(() -> "completed".equals(new Db(dir.resolve("completed.db"))
                    .one("SELECT state FROM jobs WHERE id = " + id).get("state")),
                    () -> "the retry after space was freed");
        }
        assertTrue(Arrays.equals(content,
                Files.readAllBytes(dir.resolve("models/checkpoint/big.safetensors"))));
    }

    @Test
    void aFullDiskUnderSegments_failsDiskFull_sayingWhatItsPartKeeps() throws Exception {
        Path models = dir.resolve("models");
        Files.createDirectories(models);
        Assumptions.assumeTrue(exec("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
                models.toString()), "needs root to mount a small tmpfs as a full disk");
        try {
            byte[] big = Bytes.random(SIZE, 33);
            Files.writeString(dir.resolve("config.json"),
                    config("connections_per_download", 4, "min_segment_size", 65_536)
                    .toString(WriterConfig.PRETTY_PRINT));
            Files.writeString(dir.resolve("manifest.json"),
                    manifest(entry("checkpoint", "big.safetensors",
                    storage.put("big", big), Bytes.sha256(big))).toString());
            try (ChildDaemon child = startChild("child.out")) {
                child.awaitPort();
                Db db = new Db(dir.resolve("completed.db"));
                Poll.until(() -> db.count("SELECT count(*) FROM jobs WHERE state = 'failed'") == 1,
                        () -> "the job to fail: " + db.query("SELECT * FROM jobs") + "\n"
                        + child.output());
                var job = db.one("SELECT failure_reason, last_error FROM jobs");
                assertEquals("disk_full", job.get("failure_reason"),
                        (String) job.get("last_error"));
                assertTrue(((String) job.get("last_error"))
                        .contains("is kept: free some space, then retry"),
                        (String) job.get("last_error"));
            }
        } finally {
            exec("umount", models.toString());
        }
    }

    private static boolean exec(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private static HttpResponse<String> call(int port, String method, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
