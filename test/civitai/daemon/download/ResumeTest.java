package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeStorage;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every interruption continues from the .part with Range + If-Range, fetching only the rest. */
class ResumeTest extends DaemonTest {
    static final int SIZE = 1_000_000;

    byte[] content = Bytes.random(SIZE, 42);

    private long startOn(String name, Fault... faults) {
        var url = storage.put(name, content);
        storage.pace(3_000_000);  // the cut comes well after the answer's headers were taken in
        storage.fault(name, faults);
        start(manifest(entry("lora", name + ".safetensors", url, Bytes.sha256(content))));
        return daemon.idOf(name + ".safetensors");
    }

    private void assertCompletedWithRightBytes(long id, String name) throws IOException {
        daemon.await(id, "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/" + name + ".safetensors")));
    }

    /** The second request asked for exactly the bytes the first did not deliver. */
    private long assertResumedFromPart(String name) {
        List<FakeStorage.Request> requests = storage.requests(name);
        assertEquals(2, requests.size(), "one interrupted request and one resume");
        FakeStorage.Request resume = requests.get(1);
        String range = resume.header("Range");
        assertTrue(range != null && range.matches("bytes=\\d+-"), "Range header: " + range);
        long from = Long.parseLong(range.substring(6, range.length() - 1));
        assertTrue(from > 0, "resumed from byte " + from);
        assertEquals(storageEtag(name), resume.header("If-Range"), "guarded by the ETag");
        assertEquals(206, resume.status().get());
        assertEquals(SIZE - from, resume.bytesSent().get(), "only the missing bytes are fetched");
        return from;
    }

    private String storageEtag(String name) {
        return "\"v1-" + Bytes.sha256(content).substring(0, 16) + "\"";
    }

    @Test
    void droppedConnection_resumesFromThePart() throws IOException {
        long id = startOn("drop", new Fault.Drop(300_000));
        assertCompletedWithRightBytes(id, "drop");
        assertResumedFromPart("drop");
        assertEquals("retry", attemptRows(id).get(0).get("outcome"));
    }

    @Test
    void stall_isAbortedAfterStallTimeout_andResumes() throws IOException {
        var url = storage.put("stall", content);
        storage.fault("stall", new Fault.Stall(250_000));
        start(config("stall_timeout", 0.5),
                manifest(entry("lora", "stall.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("stall.safetensors");

        assertCompletedWithRightBytes(id, "stall");
        assertEquals(250_000, assertResumedFromPart("stall"));
        assertTrue(((String) attemptRows(id).get(0).get("error")).startsWith("stalled"));
    }

    @Test
    void attemptTimeout_abortsTheAttempt_andTheRetryResumes() throws IOException {
        var url = storage.put("slow", content);
        storage.pace(800_000);  // about 1.25 s for the file, longer than one attempt may take
        start(config("timeout", 0.5, "retries", 10),
                manifest(entry("lora", "slow.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("slow.safetensors");

        daemon.await(id, "completed");
        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/slow.safetensors")));
        assertTrue(((String) attemptRows(id).get(0).get("error")).startsWith("timeout"));
        long previous = 0;
        var resumes = storage.requests("slow").stream().filter(r -> r.header("Range") != null)
                .toList();
        assertTrue(!resumes.isEmpty(), "retries resumed the part");
        // an attempt cut before its first byte (a busy machine) leaves nothing to resume
        for (var retry : resumes) {
            long from = Long.parseLong(retry.header("Range").replaceAll("\\D", ""));
            assertTrue(from > previous, "each retry resumes further on: " + from + " after "
                    + previous);
            previous = from;
        }
    }

    @Test
    void serverIgnoringRange_restartsTheFileFromZeroCleanly() throws IOException {
        long id = startOn("norange", new Fault.Drop(300_000), new Fault.IgnoreRange());
        assertCompletedWithRightBytes(id, "norange");
        assertEquals(200, storage.requests("norange").get(1).status().get());
    }

    @Test
    void changedEtag_restartsTheFileFromZero() throws IOException {
        var url = storage.put("changing", content);
        byte[] replaced = Bytes.random(SIZE, 43);
        // re-uploaded: a new ETag
        storage.fault("changing", new Fault.DropAndReplace(300_000, replaced));
        storage.pace(3_000_000);
        start(manifest(entry("lora", "changing.safetensors", url, null)));
        long id = daemon.idOf("changing.safetensors");

        daemon.await(id, "completed");
        assertArrayEquals(replaced, Files.readAllBytes(daemon.models()
                .resolve("lora/changing.safetensors")));
        assertEquals(Bytes.sha256(replaced), daemon.job(id).get("sha256"));
        FakeStorage.Request second = storage.requests("changing").get(1);
        assertTrue(second.header("If-Range") != null, "the resume was guarded");
        assertEquals(200, second.status().get(), "If-Range saw the change and the whole file came");
    }

    @Test
    void partHoldingTheWholeFile_completesWithoutDownloadingItAgain() throws IOException {
        var url = storage.put("whole", content);
        Path folder = Files.createDirectories(dir.resolve("models/lora"));
        Files.write(folder.resolve("whole.safetensors.part"), content);
        start(manifest(entry("lora", "whole.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("whole.safetensors");

        assertCompletedWithRightBytes(id, "whole");
        assertEquals(416, storage.requests("whole").get(0).status().get());
        assertEquals(0, storage.bytesSent("whole"));
    }

    @Test
    void stopAndStart_resumesFromThePartLeftBehind() throws IOException {
        var url = storage.put("restart", content);
        storage.pace(400_000);
        start(manifest(entry("lora", "restart.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("restart.safetensors");
        Path part = daemon.models().resolve("lora/restart.safetensors.part");
        Poll.until(() -> Files.exists(part) && part.toFile().length() > 100_000,
                () -> "some bytes in the part");

        daemon.stop();
        long kept = Files.size(part);
        assertEquals("queued", daemon.state(id), "an interrupted job waits to resume");
        storage.pace(0);
        daemon.startAgain();

        assertCompletedWithRightBytes(id, "restart");
        FakeStorage.Request resume = storage.requests("restart").get(1);
        assertEquals("bytes=" + kept + "-", resume.header("Range"));
        assertEquals(storageEtag("restart"), resume.header("If-Range"));
        assertEquals(SIZE - kept, resume.bytesSent().get());
        assertNull(daemon.job(id).get("failure_reason"));
    }
}
