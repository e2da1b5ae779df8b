package civitai.daemon.civitai;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One limiter for everything sent to Civitai: a 429 anywhere makes every part wait it out. */
class GateTest extends DaemonTest {
    byte[] content = Bytes.random(50_000, 95);

    private FakeCivitai.Request first(String path) {
        return civitai.requests().stream().filter(r -> r.path().equals(path)).findFirst()
                .orElseThrow();
    }

    @Test
    void aMetadata429_holdsBackDownloadsFromCivitai() {
        civitai.addVersion(900_010, "gated.safetensors", content);
        civitai.failApi("/api/v1/model-versions/1387174", new Fault.Status(429, "application/json",
                "{\"error\":\"Too many requests\"}", Map.of("Retry-After", "2")));
        start(manifest());
        Thread add = Thread.ofVirtual()
                .start(() -> daemon.post("/api/download", "{\"versionId\": 1387174}"));
        Poll.until(() -> civitai.requests().stream()
                .anyMatch(r -> r.path().equals("/api/v1/model-versions/1387174")),
                () -> "the rate-limited metadata call");
        long limited = first("/api/v1/model-versions/1387174").nanos();

        daemon.post("/api/download", entry("lora", "gated.safetensors",
                civitai.downloadUrl(900_010), null).toString());
        daemon.await(daemon.idOf("gated.safetensors"), "completed");

        long waited = (first("/api/download/models/900010").nanos() - limited) / 1_000_000;
        assertTrue(waited >= 1_900, "the download asked Civitai only after Retry-After: " + waited
                + " ms");
        Poll.until(() -> !add.isAlive(), () -> "the metadata call to finish");
    }

    @Test
    void aDownload429_holdsBackMetadataCalls_andAPersonsAddIsToldWhenToComeBack() {
        civitai.addVersion(900_011, "quota.safetensors", content);
        civitai.failDownload(900_011, new Fault.Status(429, "application/json",
                "{\"error\":\"We've noticed an unusual amount of downloading\"}",
                Map.of("Retry-After", "2")));
        start(manifest(entry("lora", "quota.safetensors", civitai.downloadUrl(900_011), null)));
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM attempts"
                + " WHERE outcome = 'retry'") == 1, () -> "the quota answer to be taken in");
        long limited = first("/api/download/models/900011").nanos();

        var r = daemon.post("/api/download", "{\"versionId\": 1387174}");
        assertEquals(503, r.statusCode(), "a person is told to come back: " + r.body());
        assertTrue(Long.parseLong(r.headers().firstValue("Retry-After").orElse("0")) <= 2,
                r.headers().toString());
        Poll.until(() -> daemon.post("/api/download", "{\"versionId\": 1387174}")
                .statusCode() == 202, () -> "the add to go through once the pause is over");
        long waited = (first("/api/v1/model-versions/1387174").nanos() - limited) / 1_000_000;
        assertTrue(waited >= 1_900, "the metadata call waited for the quota pause: " + waited
                + " ms");
        daemon.await(daemon.idOf("quota.safetensors"), "completed");
    }

    @Test
    void aDownloadHeldByTheGate_forLongerThanStallTimeout_isNotTakenForAStall() {
        civitai.addVersion(900_012, "held.safetensors", content);
        civitai.failApi("/api/v1/model-versions/1387174", new Fault.Status(429, "application/json",
                "{\"error\":\"Too many requests\"}", Map.of("Retry-After", "3")));
        start(config("stall_timeout", 1, "retries", 0), manifest());
        Thread add = Thread.ofVirtual()
                .start(() -> daemon.post("/api/download", "{\"versionId\": 1387174}"));
        Poll.until(() -> civitai.requests().stream()
                .anyMatch(r -> r.path().equals("/api/v1/model-versions/1387174")),
                () -> "the rate-limited metadata call");

        daemon.post("/api/download", entry("lora", "held.safetensors", civitai.downloadUrl(900_012),
                null).toString());
        long id = daemon.idOf("held.safetensors");
        daemon.await(id, "completed");

        assertEquals(1, daemon.db().count("SELECT count(*) FROM attempts WHERE job_id = " + id),
                "one attempt, waiting out the gate (3 s) past stall_timeout (1 s)"
                + " without being aborted");
        Poll.until(() -> !add.isAlive(), () -> "the metadata call to finish");
    }
}
