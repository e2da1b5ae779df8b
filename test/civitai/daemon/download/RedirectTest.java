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
import civitai.daemon.testing.Fault;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Civitai's 307 to a signed storage URL: followed by the daemon, the API key only ever sent to
 * Civitai, the signed URL reused while valid so retries do not spend the download quota.
 */
class RedirectTest extends DaemonTest {
    static final long VERSION = 900_001;
    byte[] content = Bytes.random(600_000, 9);

    private long startDownload(Fault... storageFaults) {
        var file = civitai.addVersion(VERSION, "redirected.safetensors", content);
        storage.fault(civitai.objectName(file), storageFaults);
        storage.pace(3_000_000);  // a drop comes well after the answer's headers were taken in
        start(config("stall_timeout", 0.5),
                manifest(entry("lora", null, civitai.downloadUrl(VERSION), Bytes.sha256(content))));
        return daemon.idOf(civitai.downloadUrl(VERSION).toString());
    }

    private String object() {
        return civitai.objectName(civitai.file(VERSION));
    }

    @Test
    void apiKeyGoesToCivitaiOnly_neverToTheStorageHost() throws IOException {
        long id = startDownload();
        daemon.await(id, "completed");

        var toCivitai = civitai.requests().get(0);
        assertEquals("Bearer test-api-key-0123456789", toCivitai.header("Authorization"));
        assertTrue(toCivitai.header("User-Agent").startsWith("civitai-daemon/"),
                toCivitai.header("User-Agent"));
        var toStorage = storage.requests(object());
        assertEquals(1, toStorage.size());
        assertNull(toStorage.get(0).header("Authorization"), "R2 rejects it, and it must not leak");
        assertTrue(toStorage.get(0).header("User-Agent").startsWith("civitai-daemon/"));
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/redirected.safetensors")), "the name came from Content-Disposition");
    }

    @Test
    void theApiKeyNeverAppearsInALog() {
        long id = startDownload(new Fault.Drop(100_000));
        daemon.await(id, "completed");
        for (String log : new String[] {"download.log", "error.log"}) {
            assertFalse(daemon.log(log).contains("test-api-key-0123456789"), log);
            assertFalse(daemon.log(log).contains("feedface0123"), log + " holds no URL signature");
        }
    }

    @Test
    void retry_reusesTheSignedUrl_withoutAnotherHitOnCivitai() {
        long id = startDownload(new Fault.Drop(100_000));
        daemon.await(id, "completed");

        assertEquals(1, civitai.downloadHits(VERSION), "one hit on the download quota");
        assertEquals(2, storage.requests(object()).size());
        assertTrue(storage.requests(object()).get(1).query().contains("X-Amz-Signature"));
    }

    @Test
    void expiredSignedUrl_goesBackToCivitai() {
        civitai.signedUrlSeconds(10);  // shorter than the daemon's safety margin: never reused
        // a stall, unlike a drop, is sure to deliver the headers and bytes before the attempt ends
        long id = startDownload(new Fault.Stall(100_000));
        daemon.await(id, "completed");

        assertEquals(2, civitai.downloadHits(VERSION));
        assertTrue(storage.requests(object()).get(1).header("Range").startsWith("bytes="),
                "the fresh URL still resumes the part");
    }

    @Test
    void refusedSignedUrl_fallsBackToCivitaiInTheSameAttempt() {
        long id = startDownload(new Fault.Drop(100_000),
                new Fault.Status(403, "application/xml",
                        "<Error><Code>AccessDenied</Code></Error>"));
        daemon.await(id, "completed");

        assertEquals(2, civitai.downloadHits(VERSION));
        assertEquals(2, attempts(id), "the refusal did not cost an attempt");
    }

    @Test
    void tokenInAQueryString_isRedactedFromTheLog() {
        var url = storage.put("tok.bin", content);
        start(manifest(entry("lora", "tok.safetensors", URI.create(url + "?token=sekrit-value-123"),
                Bytes.sha256(content))));
        daemon.await(daemon.idOf("tok.safetensors"), "completed");

        String log = daemon.log("download.log");
        assertFalse(log.contains("sekrit-value-123"));
        assertTrue(log.contains("token=[REDACTED]"), log);
    }
}
