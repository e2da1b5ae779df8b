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
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * A target belongs to one live job; a user's own file at a target is never destroyed; a deleted
 * job stays deleted.
 */
class TargetOwnershipTest extends DaemonTest {
    private final byte[] v1 = Bytes.random(200_000, 41);
    private final byte[] v2 = Bytes.random(300_000, 42);

    private long add(String filename, String name, byte[] content) {
        var r = daemon.post("/api/download", entry("lora", filename, storage.put(name, content),
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
        assertArrayEquals(v2, Files.readAllBytes(target()), "the newer job's file replaced the older job's own file");

        var refused = daemon.send("DELETE", "/api/jobs/" + first + "?delete_file=true", null, null);
        assertEquals(409, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("is not the file job " + first + " verified"), refused.body());
        assertArrayEquals(v2, Files.readAllBytes(target()), "job 2's file is kept");
        assertEquals("superseded", daemon.state(first), "nothing was removed");

        var deleted = daemon.send("DELETE", "/api/jobs/" + second + "?delete_file=true", null, null);
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertFalse(Files.exists(target()));
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
    void aUsersFileAtTheTarget_isKeptByDefault_andNothingIsDownloaded() throws IOException {
        byte[] mine = Bytes.random(1234, 7);
        Files.createDirectories(dir.resolve("models/lora"));
        Files.write(dir.resolve("models/lora/model.safetensors"), mine);
        start(new JsonArray());
        long id = add("model.safetensors", "v1", v1);
        var job = daemon.await(id, "failed");

        assertEquals("target_exists", job.get("failure_reason"));
        assertTrue(((String) job.get("last_error")).contains("existing_files"), (String) job.get("last_error"));
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
        Path aside = target().resolveSibling("model.replaced-" + LocalDate.now(ZoneOffset.UTC) + ".safetensors");
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
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs WHERE filename = 'model.safetensors'"));
        assertFalse(Files.exists(target()));
    }
}
