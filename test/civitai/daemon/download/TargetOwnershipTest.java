package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A target belongs to one live job; a user's own file at a target is never destroyed; a deleted
 * job stays deleted.
 */
class TargetOwnershipTest extends DaemonTest {
    private final byte[] v1 = Bytes.random(200_000, 41);
    private final byte[] v2 = Bytes.random(300_000, 42);

    private long add(String filename, String name, byte[] content) {
        return add("lora", filename, name, content);
    }

    private long add(String modelType, String filename, String name, byte[] content) {
        var r = daemon.post("/api/download", entry(modelType, filename, storage.put(name, content),
                Bytes.sha256(content)).toString());
        assertEquals(202, r.statusCode(), r.body());
        return json(r).get("job").asObject().getLong("id", 0);
    }

    private Path target() {
        return daemon.models().resolve("lora/model.safetensors");
    }

    @Test
    void aNewerJobForTheSameTarget_supersedesTheOlder_andDeleteFileRemovesOnlyAFileTheJobVerified()
            throws IOException {
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "completed");
        long second = add("model.safetensors", "v2", v2);
        daemon.await(second, "completed");

        assertEquals("superseded", daemon.state(first));
        assertArrayEquals(v2, Files.readAllBytes(target()),
                "the newer job's file replaced the older job's own file");

        var refused = daemon.send("DELETE", "/api/jobs/" + first + "?delete_file=true", null, null);
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("is not the file job " + first + " verified"),
                refused.body());
        assertArrayEquals(v2, Files.readAllBytes(target()), "job 2's file is kept");
        assertEquals("superseded", daemon.state(first), "nothing was removed");

        var deleted = daemon.send("DELETE", "/api/jobs/" + second + "?delete_file=true", null,
                null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertFalse(Files.exists(target()));
    }

    @Test
    void aBatch_supersedesTheOlderJobOfItsTarget_andItsOwnEarlierEntryForTheSameTarget()
            throws IOException {
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "completed");
        byte[] other = Bytes.random(100_000, 43);
        var r = daemon.post("/api/batch", manifest(
                entry("lora", "model.safetensors", storage.put("v2", v2), Bytes.sha256(v2)),
                entry("lora", "other.safetensors", storage.put("other", other),
                        Bytes.sha256(other)),
                entry("lora", "model.safetensors", storage.put("v3", v1), null)).toString());
        assertEquals(202, r.statusCode(), r.body());
        var jobs = json(r).get("jobs").asArray();
        long second = jobs.get(0).asObject().get("job").asObject().getLong("id", 0);
        long unrelated = jobs.get(1).asObject().get("job").asObject().getLong("id", 0);
        long third = jobs.get(2).asObject().get("job").asObject().getLong("id", 0);

        daemon.await(third, "completed");
        daemon.await(unrelated, "completed");
        assertEquals("superseded", daemon.state(first),
                "the batch took the target from the older job");
        assertEquals("superseded", daemon.state(second),
                "the later entry of the batch for a target wins");
        assertArrayEquals(v1, Files.readAllBytes(target()));
    }

    @Test
    void aSupersededJobAddedAgain_takesItsTargetBack() throws IOException {
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "completed");
        long second = add("model.safetensors", "v2", v2);
        daemon.await(second, "completed");

        assertEquals(first, add("model.safetensors", "v1", v1), "the same job, not a new one");
        daemon.await(first, "completed");
        assertEquals("superseded", daemon.state(second));
        assertArrayEquals(v1, Files.readAllBytes(target()));
    }

    @Test
    void supersedingARunningJob_stopsIt_andTheNewerOneOwnsThePart() throws IOException {
        storage.pace(100_000);
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "downloading");
        storage.pace(0);
        long second = add("model.safetensors", "v2", v2);
        daemon.await(second, "completed");

        assertEquals("superseded", daemon.state(first));
        assertArrayEquals(v2, Files.readAllBytes(target()));
        assertFalse(Files.exists(target().resolveSibling("model.safetensors.part")));
    }

    @Test
    void twoTypesOfOneFolder_shareTheTarget_soTheNewerJobSupersedesTheRunningOne()
            throws IOException {
        storage.pace(100_000);
        start(config("layout", "a1111"), new JsonArray());
        long checkpoint = add("checkpoint", "model.safetensors", "v1", v1);
        daemon.await(checkpoint, "downloading");
        long unet = add("unet", "model.safetensors", "v2", v2);
        storage.pace(0);
        daemon.await(unet, "completed");

        Path target = daemon.models().resolve("models/Stable-diffusion/model.safetensors");
        assertEquals("superseded", daemon.state(checkpoint),
                "both types go to models/Stable-diffusion");
        assertArrayEquals(v2, Files.readAllBytes(target));
        assertFalse(Files.exists(target.resolveSibling("model.safetensors.part")));
    }

    @Test
    void aUsersFileAtTheTarget_isKeptByDefault_andNothingIsDownloaded() throws IOException {
        byte[] mine = Bytes.random(1234, 7);
        Files.createDirectories(dir.resolve("models/lora"));
        Files.write(dir.resolve("models/lora/model.safetensors"), mine);
        start(new JsonArray());
        long id = add("model.safetensors", "v1", v1);
        var job = daemon.await(id, "failed");

        assertEquals("target_exists", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("existing_files"),
                (String) job.get("last_error"));
        assertArrayEquals(mine, Files.readAllBytes(target()));
        assertEquals(0, storage.requests("v1").size(), "nothing was downloaded");
    }

    @Test
    void backup_movesTheUsersFileAsideWithTheDate_thenPlacesTheNewOne() throws IOException {
        byte[] mine = Bytes.random(1234, 7);
        Files.createDirectories(dir.resolve("models/lora"));
        Files.write(dir.resolve("models/lora/model.safetensors"), mine);
        start(config("existing_files", "backup"), new JsonArray());
        daemon.await(add("model.safetensors", "v1", v1), "completed");

        assertArrayEquals(v1, Files.readAllBytes(target()));
        Path aside = target().resolveSibling("model.replaced-" + LocalDate.now(ZoneOffset.UTC)
                + ".safetensors");
        assertArrayEquals(mine, Files.readAllBytes(aside));
    }

    @Test
    void replace_replacesTheUsersFile() throws IOException {
        Files.createDirectories(dir.resolve("models/lora"));
        Files.write(dir.resolve("models/lora/model.safetensors"), Bytes.random(1234, 7));
        start(config("existing_files", "replace"), new JsonArray());
        daemon.await(add("model.safetensors", "v1", v1), "completed");

        assertArrayEquals(v1, Files.readAllBytes(target()));
        try (var files = Files.list(target().getParent())) {
            assertEquals(1, files.count(), "no copy is kept with replace");
        }
    }

    @Test
    void aDeletedJob_leavesTheManifest_andDoesNotComeBackAtTheNextStart() throws IOException {
        var url = storage.put("v1", v1);
        start(manifest(entry("lora", "model.safetensors", url, Bytes.sha256(v1)),
                entry("lora", "other.safetensors", storage.put("o", v2), Bytes.sha256(v2))));
        long id = daemon.idOf("model.safetensors");
        daemon.await(id, "completed");

        var r = daemon.send("DELETE", "/api/jobs/" + id + "?delete_file=true", null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("entry removed", json(r).getString("manifest", null));
        String written = Files.readString(dir.resolve("manifest.json"));
        assertFalse(written.contains("model.safetensors"), written);
        assertTrue(written.contains("other.safetensors"), "the other entry stays");

        daemon.stop();
        daemon.startAgain();
        daemon.await(daemon.idOf("other.safetensors"), "completed");
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"
                + " WHERE filename = 'model.safetensors'"));
        assertFalse(Files.exists(target()));
    }

    @Test
    void deletingASupersededJob_leavesTheRunningNewerJobsPartAlone() throws IOException {
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "completed");
        var release = new CountDownLatch(1);
        // job 2 stays in flight until the delete is done
        storage.fault("v2", new Fault.Hold(1000, release));
        long second = add("model.safetensors", "v2", v2);
        daemon.await(second, "downloading");
        Path part = target().resolveSibling("model.safetensors.part");
        Poll.until(() -> Files.exists(part), () -> "the newer job's part");
        assertEquals("superseded", daemon.state(first));

        var r = daemon.send("DELETE", "/api/jobs/" + first, null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(Files.exists(part), "job " + second + "'s part, being written, is still there");
        release.countDown();
        daemon.await(second, "completed");
        assertArrayEquals(v2, Files.readAllBytes(target()),
                "the file in place is the one job 2 verified");
    }

    @Test
    void deleteFileOfASupersededJobWhoseFileIsStillThere_saysWhatHappened() throws IOException {
        start(new JsonArray());
        long first = add("model.safetensors", "v1", v1);
        daemon.await(first, "completed");
        var r2 = daemon.post("/api/download",
                entry("lora", "model.safetensors", storage.url("missing"),
                Bytes.sha256(v2)).toString());
        assertEquals(202, r2.statusCode(), r2.body());
        assertEquals("superseded", daemon.state(first));

        var r = daemon.send("DELETE", "/api/jobs/" + first + "?delete_file=true", null, null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Files.exists(target()), !json(r).getBoolean("file_deleted", true), r.body());
    }

    @Test
    void aUsersFileAdoptedByAJobWithoutSha_isNotReplacedLaterUnderKeep() throws IOException {
        byte[] mine = Bytes.random(1234, 7);
        Files.createDirectories(dir.resolve("models/lora"));
        Files.write(dir.resolve("models/lora/model.safetensors"), mine);
        start(new JsonArray());
        var noSha = daemon.post("/api/download",
                entry("lora", "model.safetensors", storage.put("v1", v1), null).toString());
        assertEquals(202, noSha.statusCode(), noSha.body());
        daemon.await(json(noSha).get("job").asObject().getLong("id", 0), "completed");
        assertArrayEquals(mine, Files.readAllBytes(target()),
                "the user's file was taken as the model");

        long second = add("model.safetensors", "v2", v2);
        var job = daemon.await(second, "failed");
        assertEquals("target_exists", job.get("failure_reason"));
        assertArrayEquals(mine, Files.readAllBytes(target()),
                "existing_files keep: the user's file is never replaced");
    }

    @Test
    void twoJobsWhoseServerNamesCollide_neverShareOnePart_theLaterOneFailsSayingWhy()
            throws IOException {
        var release = new CountDownLatch(1);
        // job 1 holds the name until job 2 has failed
        storage.fault("a", new Fault.Hold(1000, release));
        start(config("workers", 2), new JsonArray());
        long first = add(null, "a", v1, "attachment; filename=\"model.safetensors\"");
        daemon.await(first, "downloading");
        long second = add(null, "b", v2, "attachment; filename=\"model.safetensors\"");
        var failed = daemon.await(second, "failed");
        assertEquals("target_busy", failed.get("failure_reason"));
        assertTrue(((String) failed.get("last_error")).contains("own \"filename\""),
                (String) failed.get("last_error"));
        release.countDown();
        daemon.await(first, "completed");
        assertArrayEquals(v1, Files.readAllBytes(target()),
                "job 1's verified file, untouched by job 2");
    }

    private long add(String filename, String name, byte[] content, String disposition) {
        var r = daemon.post("/api/download",
                entry("lora", filename, storage.put(name, content, disposition),
                Bytes.sha256(content)).toString());
        assertEquals(202, r.statusCode(), r.body());
        return json(r).get("job").asObject().getLong("id", 0);
    }
}
