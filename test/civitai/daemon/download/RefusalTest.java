package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.rules.ExpectedSize;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Answers that are not the file fail the job with Civitai's reason and write nothing; transient
 * ones are retried (Retry-After honoured), the rest fail at once. Bodies are Civitai's real ones.
 */
class RefusalTest extends DaemonTest {
    static final long VERSION = 900_002;
    byte[] content = Bytes.random(300_000, 11);

    private Map<String, Object> run(Object[] config, Fault.Status... faults) {
        civitai.addVersion(VERSION, "refused.safetensors", content);
        civitai.failDownload(VERSION, faults);
        start(config(config), manifest(entry("lora", "refused.safetensors",
                civitai.downloadUrl(VERSION), Bytes.sha256(content))));
        long id = daemon.idOf("refused.safetensors");
        return daemon.await(id, "failed");
    }

    private Map<String, Object> fails(Fault.Status... faults) {
        return run(new Object[0], faults);
    }

    private void assertNothingWritten() throws IOException {
        Path folder = daemon.models().resolve("lora");
        try (Stream<Path> files = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
            assertEquals(0, files.count(), "nothing is written for a refusal");
        }
    }

    @Test
    void loginRequired_failsAtOnceAskingForAnApiKey() throws IOException {
        var job = fails(new Fault.Status(401, "application/json",
                Fixtures.read(FakeCivitai.FIXTURE_401)));
        assertEquals("auth_required", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("needs a Civitai API key"),
                (String) job.get("last_error"));
        assertEquals(1L, ((Number) job.get("attempts")).longValue(), "a 401 is not retried");
        assertNothingWritten();
    }

    @Test
    void htmlLoginPage_isNotSavedAsAModel() throws IOException {
        var job = fails(new Fault.Status(200, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>Sign In | Civitai</title></head><body>Log"
                + " in</body></html>"));
        assertEquals("auth_required", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("login page"));
        assertNothingWritten();
    }

    @Test
    void earlyAccess_namesTheDate() {
        var job = fails(new Fault.Status(403, "application/json", "{\"error\":\"Early Access\","
                + "\"deadline\":\"2026-12-24T00:00:00.000Z\","
                + "\"message\":\"This asset is in Early Access\"}"));
        assertEquals("early_access", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error"))
                .startsWith("early access until 2026-12-24T00:00:00.000Z"),
                (String) job.get("last_error"));
    }

    @Test
    void archived_isReported() {
        var job = fails(new Fault.Status(410, "application/json",
                "{\"error\":\"Model archived, not available for download\"}"));
        assertEquals("archived", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("archived"));
    }

    @Test
    void downloadsDisabled_isReported() {
        var job = fails(new Fault.Status(401, "application/json", "{\"error\":\"Unauthorized\","
                + "\"message\":\"The creator of this asset has disabled downloads"
                + " on this file\"}"));
        assertEquals("downloads_disabled", job.get("failure_reason"));
    }

    @Test
    void notFound_failsAtOnce() {
        var job = fails(new Fault.Status(404, "application/json",
                "{\"error\":\"File not found\"}"));
        assertEquals("not_found", job.get("failure_reason"));
        assertEquals(1L, ((Number) job.get("attempts")).longValue());
    }

    @Test
    void serverErrors_areRetriedThenFail() {
        Fault.Status error = new Fault.Status(500, "application/json",
                "{\"error\":\"Error getting file\"}");
        var job = fails(error, error, error, error);
        assertEquals("http_500", job.get("failure_reason"));
        assertEquals(4L, ((Number) job.get("attempts")).longValue(), "1 + retries (3)");
        assertTrue(((String) job.get("last_error")).contains("Error getting file"));
    }

    @Test
    void quota429_withoutRetryAfter_waitsTheLongestDelay() {
        Fault.Status quota = new Fault.Status(429, "application/json",
                "{\"error\":\"We've noticed an unusual amount of downloading from"
                + " your account.\"}");
        var job = run(new Object[] {"retries", 1, "retry_max_delay", 1.5}, quota, quota);
        assertEquals("quota", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("quota"));
        long id = ((Number) job.get("id")).longValue();
        assertTrue(gapMillis(id, 1) >= 1400,
                "waited retry_max_delay, not the short backoff: " + gapMillis(id, 1));
    }

    @Test
    void retryAfter_isHonouredOn503() {
        civitai.addVersion(VERSION, "busy.safetensors", content);
        civitai.failDownload(VERSION, new Fault.Status(503, "text/plain", "busy",
                Map.of("Retry-After", "2")));
        start(manifest(entry("lora", "busy.safetensors", civitai.downloadUrl(VERSION),
                Bytes.sha256(content))));
        long id = daemon.idOf("busy.safetensors");

        daemon.await(id, "completed");
        assertTrue(gapMillis(id, 1) >= 1900,
                "Retry-After: 2 was honoured: " + gapMillis(id, 1) + " ms");
    }

    @Test
    void contentLengthFarFromTheExpectedSize_failsBeforeWriting() throws IOException {
        var url = storage.put("sized.bin", content);
        start(manifest(entry("lora", "sized.safetensors", url, null).add("sizeKB", 18829.1484375)));
        var job = daemon.await(daemon.idOf("sized.safetensors"), "failed");

        assertEquals("size_mismatch", job.get("failure_reason"));
        assertNothingWritten();
    }

    @Test
    void anExactSizeOneByteOff_failsBeforeWriting_whereARoundedOneWouldPass() throws IOException {
        var url = storage.put("sized.bin", content);
        start(manifest(entry("lora", "sized.safetensors", url, null)
                .add("size", content.length + 1)));
        var job = daemon.await(daemon.idOf("sized.safetensors"), "failed");

        assertEquals("size_mismatch", job.get("failure_reason"));
        assertNothingWritten();
        assertFalse(new ExpectedSize(content.length + 1, false).rulesOut(content.length),
                "the same size as sizeKB is within its rounding");
    }

    @Test
    void jsonBodyWith200_isNotAModel() throws IOException {
        var job = fails(new Fault.Status(200, "application/json", "{\"error\":\"Forbidden\"}"));
        assertEquals("not_a_file", job.get("failure_reason"));
        assertNothingWritten();
    }
}
