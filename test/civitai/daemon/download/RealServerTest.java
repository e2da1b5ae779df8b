package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Answers real servers give that the Content-Type alone misjudges: a model served as text/plain,
 * an HTML page served as a file, refusals with binary bodies, a resume answered by a page.
 */
class RealServerTest extends DaemonTest {
    byte[] content = Bytes.random(400_000, 31);

    private String lastError(Map<String, Object> job) {
        return (String) job.get("last_error");
    }

    @Test
    void binaryServedAsTextPlain_isTheFile() throws IOException {
        var url = storage.put("plain.bin", content);
        storage.contentType("text/plain");  // nginx without a MIME table
        start(manifest(entry("lora", "plain.safetensors", url, Bytes.sha256(content))));
        daemon.await(daemon.idOf("plain.safetensors"), "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/plain.safetensors")));
    }

    @Test
    void htmlPageServedAsAFile_isARefusalAtOnce_notAHashMismatch() {
        var url = storage.put("page.bin", content);
        storage.fault("page.bin", new Fault.Status(200, "application/octet-stream",
                "<!DOCTYPE html><html><body>Maintenance</body></html>"));
        start(manifest(entry("lora", "page.safetensors", url, Bytes.sha256(content))));
        var job = daemon.await(daemon.idOf("page.safetensors"), "failed");
        assertEquals("not_a_file", job.get("failure_reason"), lastError(job));
        assertEquals(1L, ((Number) job.get("attempts")).longValue(),
                "known as a page at once, not by its hash");
    }

    @Test
    void binaryRefusalBody_isNeverQuoted_andTheHostIsNamed() {
        var url = storage.put("bin403.bin", content);
        storage.fault("bin403.bin", new Fault.Status(403, "application/octet-stream",
                "\u0000\u0001\u0002PK\u0003\u0004\u001b[31mred\u0007\u00ff\u00fe binary"));
        start(manifest(entry("lora", "bin403.safetensors", url, Bytes.sha256(content))));
        var job = daemon.await(daemon.idOf("bin403.safetensors"), "failed");
        String error = lastError(job);
        assertEquals("forbidden", job.get("failure_reason"));
        assertTrue(error.chars().noneMatch(Character::isISOControl), "printable only: " + error);
        assertFalse(error.contains("PK") || error.contains("red"),
                "no excerpt of a binary body: " + error);
        assertFalse(error.contains("Civitai"), "not Civitai that answered: " + error);
        assertTrue(error.contains(storage.base().getAuthority()), "names the host: " + error);
    }

    @Test
    void storageHostRefusal_quotesAShortExcerpt_withoutNamingCivitai() {
        var url = storage.put("gone.bin", content);
        storage.fault("gone.bin", new Fault.Status(404, "text/plain",
                "No such object\n" + "x".repeat(5000)));
        start(manifest(entry("lora", "gone.safetensors", url, Bytes.sha256(content))));
        var job = daemon.await(daemon.idOf("gone.safetensors"), "failed");
        String error = lastError(job);
        assertEquals("not_found", job.get("failure_reason"));
        assertTrue(error.contains("No such object"), error);
        assertTrue(error.length() < 400, "a short excerpt: " + error.length() + " chars");
        assertFalse(error.contains("Civitai"), error);
    }

    @Test
    void resumeAnsweredByAnHtmlPage_isWordedForWhatHappened_andTheRetryStartsClean()
            throws IOException {
        var url = storage.put("resume.bin", content);
        storage.pace(2_000_000);
        storage.fault("resume.bin", new Fault.Drop(150_000), new Fault.Status(200, "text/html",
                "<!DOCTYPE html><html><head><title>Log in</title></head><body>Sign"
                + " in</body></html>"));
        start(manifest(entry("lora", "resume.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("resume.safetensors");
        var job = daemon.await(id, "failed");
        String error = lastError(job);
        assertFalse(error.contains("API key") || error.contains("Civitai"), error);
        assertTrue(error.contains("HTML page") && error.contains("resume"), error);
        assertTrue(storage.requests("resume.bin").get(1).header("Range") != null,
                "the refused request was a resume");

        storage.pace(0);
        assertEquals(200, daemon.post("/api/jobs/" + id + "/retry", "").statusCode());
        daemon.await(id, "completed");
        List<FakeStorage.Request> requests = storage.requests("resume.bin");
        assertNull(requests.get(requests.size() - 1).header("Range"),
                "the retry asks for the whole file");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/resume.safetensors")));
    }
}
