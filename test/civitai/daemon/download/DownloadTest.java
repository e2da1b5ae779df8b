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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The happy path and verification: bytes in, SHA-256 checked, file in its folder. */
class DownloadTest extends DaemonTest {
    @Test
    void fixtureVersion_isDownloadedVerifiedAndFiledByType() throws IOException {
        long version = 1387174;  // the Flux LORA of model_version_1387174_lora_flux_2025.json
        var file = civitai.file(version);
        start(manifest(
                entry("lora", file.name(), civitai.downloadUrl(version),
                        civitai.sha256(version).toUpperCase()).add("modelId", 1231067)
                                .add("note", "kept")));

        long id = daemon.idOf(file.name());
        Map<String, Object> job = daemon.await(id, "completed");

        Path target = daemon.models().resolve("lora").resolve(file.name());
        assertArrayEquals(civitai.content(version), Files.readAllBytes(target));
        assertEquals(civitai.sha256(version), job.get("sha256"));
        assertEquals(target.toString(), job.get("target_path"));
        assertEquals((long) file.size(), ((Number) job.get("bytes_done")).longValue());
        assertTrue(((String) job.get("entry_json")).contains("\"note\":\"kept\""),
                "extra fields are kept");
        assertFalse(Files.exists(target.resolveSibling(file.name() + ".part")), "no .part left");
        assertTrue(daemon.log("download.log").contains("job " + id + " completed"));
    }

    @Test
    void withoutExpectedHash_theComputedHashIsRecorded() {
        byte[] content = Bytes.random(300_000, 1);
        var url = storage.put("plain.bin", content);
        start(manifest(entry("vae", "plain.safetensors", url, null)));

        Map<String, Object> job = daemon.await(daemon.idOf("plain.safetensors"), "completed");

        assertEquals(Bytes.sha256(content), job.get("sha256"));
        assertNull(job.get("expected_sha256"));
    }

    @Test
    void hashMismatch_isRetriedThenFailsWithHashMismatch_andNothingReachesTheFinalPath() {
        byte[] content = Bytes.random(200_000, 2);
        var url = storage.put("bad.bin", content);
        storage.fault("bad.bin", new Fault.WrongBytes(), new Fault.WrongBytes(),
                new Fault.WrongBytes(), new Fault.WrongBytes());
        start(manifest(entry("lora", "bad.safetensors", url, Bytes.sha256(content))));

        long id = daemon.idOf("bad.safetensors");
        Map<String, Object> job = daemon.await(id, "failed");

        assertEquals("hash_mismatch", job.get("failure_reason"));
        assertEquals(4L, ((Number) job.get("attempts")).longValue(), "1 attempt + retries: 3");
        Path folder = daemon.models().resolve("lora");
        assertFalse(Files.exists(folder.resolve("bad.safetensors")));
        assertFalse(Files.exists(folder.resolve("bad.safetensors.part")),
                "a mismatching part is removed");
        assertTrue(daemon.log("error.log").contains("hash_mismatch"));
    }

    @Test
    void mismatchOnce_thenGoodBytes_completes() {
        byte[] content = Bytes.random(200_000, 3);
        var url = storage.put("flaky.bin", content);
        storage.fault("flaky.bin", new Fault.WrongBytes());
        start(manifest(entry("lora", "flaky.safetensors", url, Bytes.sha256(content))));

        Map<String, Object> job = daemon.await(daemon.idOf("flaky.safetensors"), "completed");

        assertEquals(2L, ((Number) job.get("attempts")).longValue());
        assertEquals(2, storage.requests("flaky.bin").size());
        assertEquals(null, storage.requests("flaky.bin").get(1).header("Range"),
                "after a mismatch the file starts over");
    }

    @Test
    void existingFileWithTheRightHash_isRecordedWithoutDownloading() throws IOException {
        byte[] content = Bytes.random(100_000, 4);
        var url = storage.put("have.bin", content);
        Path target = Files.createDirectories(dir.resolve("models/checkpoint"))
                .resolve("have.safetensors");
        Files.write(target, content);
        start(manifest(entry("checkpoint", "have.safetensors", url, Bytes.sha256(content))));

        Map<String, Object> job = daemon.await(daemon.idOf("have.safetensors"), "completed");

        assertEquals(Bytes.sha256(content), job.get("sha256"));
        assertTrue(storage.requests("have.bin").isEmpty(), "nothing was downloaded");
    }

    @Test
    void aGoodExistingFile_isNeverOverwrittenByABadDownload() throws IOException {
        byte[] old = Bytes.random(100_000, 5);
        byte[] wanted = Bytes.random(100_000, 6);
        var url = storage.put("new.bin", wanted);
        storage.fault("new.bin", new Fault.WrongBytes(), new Fault.WrongBytes(),
                new Fault.WrongBytes(), new Fault.WrongBytes());
        Path target = Files.createDirectories(dir.resolve("models/lora"))
                .resolve("model.safetensors");
        Files.write(target, old);
        start(manifest(entry("lora", "model.safetensors", url, Bytes.sha256(wanted))));

        daemon.await(daemon.idOf("model.safetensors"), "failed");

        assertArrayEquals(old, Files.readAllBytes(target), "the existing file is untouched");
    }

    @Test
    void restart_neverDuplicatesJobs() {
        byte[] content = Bytes.random(50_000, 7);
        var url = storage.put("once.bin", content);
        start(manifest(entry("lora", "once.safetensors", url, Bytes.sha256(content))));
        daemon.await(daemon.idOf("once.safetensors"), "completed");

        daemon.stop();
        daemon.startAgain();

        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"));
        assertEquals(1, storage.requests("once.bin").size(), "not downloaded again");
    }
}
