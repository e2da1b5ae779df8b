package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.attempt.SingleStream;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.EndlessHost;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A body is read only as far as the file can be: a host that streams without end, one that
 * gzips a file nobody asked it to, one that answers every Range with a few KiB. Each ends in a
 * failure that says so, with little written and nothing in the final folder.
 */
class BodyLimitTest extends DaemonTest {
    private static final int MIB = 1 << 20;
    /** sizeKB 1024 allows 1 % + 64 KiB either way (ExpectedSize). */
    private static final long MOST_FOR_1_MIB = MIB + MIB / 100 + 64 * 1024;
    /** Far beyond any expected size here: what an unbounded reader would write. */
    private static final long ENDLESS = 48L * MIB;

    private final byte[] content = Bytes.random(MIB, 22);

    @Test
    void endlessBody_withSizeKB_noHash_failsSizeMismatch_havingWrittenNoMoreThanTheTolerance()
            throws IOException {
        var url = storage.put("endless.bin", content);
        storage.fault("endless.bin", new Fault.Endless(ENDLESS), new Fault.Endless(ENDLESS),
                new Fault.Endless(ENDLESS), new Fault.Endless(ENDLESS));
        start(manifest(entry("lora", "endless.safetensors", url, null).add("sizeKB", 1024)));
        var job = awaitEnd(daemon.idOf("endless.safetensors"));

        assertEquals("failed", job.get("state"),
                "a body beyond the expected size is not the model: " + job);
        assertEquals("size_mismatch", job.get("failure_reason"));
        assertEquals(1L, attempts(((Number) job.get("id")).longValue()),
                "another answer would only stream forever again");
        assertTrue(storage.bytesSent("endless.bin") < ENDLESS,
                "the daemon hung up: " + storage.bytesSent("endless.bin"));
        assertBounded("lora/endless.safetensors", MOST_FOR_1_MIB);
    }

    @Test
    void endlessBody_withAHash_failsOnce_notOneUnboundedBodyPerAttempt() throws IOException {
        var url = storage.put("hashed.bin", content);
        storage.fault("hashed.bin", new Fault.Endless(ENDLESS), new Fault.Endless(ENDLESS),
                new Fault.Endless(ENDLESS), new Fault.Endless(ENDLESS));
        start(manifest(entry("lora", "hashed.safetensors", url, Bytes.sha256(content))
                .add("sizeKB", 1024)));
        var job = awaitEnd(daemon.idOf("hashed.safetensors"));

        assertEquals("size_mismatch", job.get("failure_reason"), job.toString());
        long sent = storage.bytesSent("hashed.bin");
        assertTrue(sent < ENDLESS, "one bounded read, not "
                + attempts(((Number) job.get("id")).longValue()) + " endless ones: " + sent);
        assertBounded("lora/hashed.safetensors", MOST_FOR_1_MIB);
    }

    @Test
    void closeDelimitedEndlessBody_isCutAtTheExpectedSize() throws IOException {
        try (EndlessHost host = new EndlessHost(Arrays.copyOf(content, 64 * 1024), ENDLESS)) {
            start(manifest(entry("lora", "closed.safetensors", host.url("closed.bin"), null)
                    .add("sizeKB", 1024)));
            var job = awaitEnd(daemon.idOf("closed.safetensors"));

            assertEquals("size_mismatch", job.get("failure_reason"), job.toString());
            assertTrue(host.bytesSent() < ENDLESS, "the daemon hung up: " + host.bytesSent());
            assertBounded("lora/closed.safetensors", MOST_FOR_1_MIB);
        }
    }

    @Test
    void endlessBody_withNoExpectedSize_stopsAtMaxFileSize() throws IOException {
        var url = storage.put("unsized.bin", content);
        storage.fault("unsized.bin", new Fault.Endless(ENDLESS));
        start(config("max_file_size", 4 * MIB),
                manifest(entry("lora", "unsized.safetensors", url, null)));
        var job = awaitEnd(daemon.idOf("unsized.safetensors"));

        assertEquals("too_large", job.get("failure_reason"), job.toString());
        assertTrue(((String) job.get("last_error")).contains("max_file_size"),
                (String) job.get("last_error"));
        assertBounded("lora/unsized.safetensors", 4 * MIB);
    }

    @Test
    void endlessBody_afterAnAnswerGaveTheSize_isCutAtThatSize() throws IOException {
        var url = storage.put("sized-once.bin", content);
        storage.fault("sized-once.bin", new Fault.Drop(100_000), new Fault.Endless(ENDLESS));
        start(manifest(entry("lora", "sized-once.safetensors", url, Bytes.sha256(content))));
        var job = awaitEnd(daemon.idOf("sized-once.safetensors"));

        assertEquals("size_mismatch", job.get("failure_reason"), job.toString());
        assertTrue(((String) job.get("last_error"))
                .contains("an earlier answer said the file has " + content.length),
                (String) job.get("last_error"));
        assertBounded("lora/sized-once.safetensors", content.length);
    }

    @Test
    void rangesServedInPieces_completeInOneAttempt() throws IOException {
        var url = storage.put("pieces.bin", content);
        // a stall keeps what was sent; a cut may not
        storage.fault("pieces.bin", new Fault.Stall(100_000));
        storage.capRanges(SingleStream.TINY);  // the smallest piece that is not tiny
        start(manifest(entry("lora", "pieces.safetensors", url, Bytes.sha256(content))));
        var job = awaitEnd(daemon.idOf("pieces.safetensors"));

        assertEquals("completed", job.get("state"), job.toString());
        assertEquals(2L, attempts(((Number) job.get("id")).longValue()),
                "the stalled one, then one in pieces");
    }

    @Test
    void bodyWithoutLength_thatEndsAtTheExpectedSize_completes() throws IOException {
        var url = storage.put("fits.bin", content);
        storage.fault("fits.bin", new Fault.Endless(content.length));
        start(config("max_file_size", 4 * MIB),
                manifest(entry("lora", "fits.safetensors", url, Bytes.sha256(content))
                .add("sizeKB", 1024)));
        var job = awaitEnd(daemon.idOf("fits.safetensors"));

        assertEquals("completed", job.get("state"), job.toString());
        assertEquals(Bytes.sha256(content),
                Bytes.sha256(Files.readAllBytes(daemon.models().resolve("lora/fits.safetensors"))));
    }

    @Test
    void unrequestedGzip_isRefused_andNothingIsSaved() throws IOException {
        byte[] model = new byte[4 * MIB];  // zeros: gzip makes a few KiB of them
        var url = storage.put("packed.bin", model);
        storage.fault("packed.bin", new Fault.Gzip(), new Fault.Gzip(), new Fault.Gzip(),
                new Fault.Gzip());
        start(manifest(entry("lora", "packed.safetensors", url, null)));
        var job = awaitEnd(daemon.idOf("packed.safetensors"));

        assertEquals("failed", job.get("state"), "a gzip body is not the model: " + job);
        assertEquals("unrequested_encoding", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("gzip"),
                (String) job.get("last_error"));
        assertEquals(1L, attempts(((Number) job.get("id")).longValue()),
                "asking again gets the same encoding");
        assertEquals("identity", storage.requests("packed.bin").get(0).header("Accept-Encoding"));
        assertBounded("lora/packed.safetensors", 0);
    }

    @Test
    void everyRangeAnsweredWithFourKiB_givesUpWithTheReason() throws IOException {
        var url = storage.put("tiny.bin", content);
        // a stall keeps what was sent; a cut may not
        storage.fault("tiny.bin", new Fault.Stall(100_000));
        storage.capRanges(4096);
        start(config("retries", 100), manifest(entry("lora", "tiny.safetensors", url,
                Bytes.sha256(content))));
        var job = awaitEnd(daemon.idOf("tiny.safetensors"));

        assertEquals("failed", job.get("state"), job.toString());
        assertEquals("tiny_ranges", job.get("failure_reason"), job.toString());
        long ranges = storage.requests("tiny.bin").stream().filter(r -> r.header("Range") != null)
                .count();
        assertTrue(ranges <= 64, "a bounded number of tiny answers: " + ranges);
        assertBounded("lora/tiny.safetensors", content.length);
    }

    /** Waits for the job to complete or fail. */
    private Map<String, Object> awaitEnd(long id) {
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM jobs WHERE id = ? AND state IN"
                + " ('completed', 'failed')", id) == 1,
                () -> "job " + id + " to end: " + daemon.job(id) + "\nattempts: "
                + attemptRows(id));
        return daemon.job(id);
    }

    /** No file in the final folder; what the part holds (if any) is at most {@code most} bytes. */
    private void assertBounded(String target, long most) throws IOException {
        Path file = daemon.models().resolve(target);
        assertFalse(Files.exists(file), "nothing reaches the final folder: " + file + " ("
                + (Files.exists(file) ? Files.size(file) : 0) + " bytes)");
        Path folder = file.getParent();
        try (Stream<Path> files = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
            for (Path p : files.toList()) {
                assertTrue(p.getFileName().toString().endsWith(".part"),
                        "only a part may stay: " + p);
                assertTrue(Files.size(p) <= most,
                        p + " holds " + Files.size(p) + " bytes, more than " + most);
            }
        }
    }
}
