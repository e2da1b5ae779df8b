package civitai.daemon.library;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import org.junit.jupiter.api.Test;

/**
 * A job whose SHA-256 the library already holds is satisfied from disk: no request to the storage
 * host.
 */
class ReuseTest extends LibraryFixture {
    @Test
    void aFileTheLibraryHolds_isLinkedToTheTarget_andNothingIsFetched() throws Exception {
        byte[] content = Bytes.random(300_000, 71);
        Path old = write(dir.resolve("models/lora/old-name.safetensors"), content);
        start(new JsonArray());
        settled();
        var url = storage.put("wanted.bin", content);

        long id = json(daemon.post("/api/download",
                entry("checkpoint", "wanted.safetensors", url, Bytes.sha256(content)).toString()))
                .get("job").asObject().getLong("id", 0);
        var job = daemon.await(id, "completed");

        Path target = Path.of((String) job.get("target_path"));
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(Bytes.sha256(content), job.get("sha256"));
        assertEquals(0, storage.requests("wanted.bin").size(), "the storage host is never asked");
        assertEquals(old.toString(), job.get("from_library"));
        JsonObject api = json(daemon.get("/api/jobs/" + id));
        assertEquals(old.toString(), api.get("job").asObject().getString("from_library", null),
                api.toString());
        Object oldKey = Files.readAttributes(old, BasicFileAttributes.class).fileKey();
        assertEquals(oldKey, Files.readAttributes(target, BasicFileAttributes.class).fileKey(),
                "one file system: a hard link, no second copy");
    }

    @Test
    void copy_writesASecondFileWithTheSameBytes_andNothingIsFetched() throws Exception {
        byte[] content = Bytes.random(250_000, 74);
        Path old = write(dir.resolve("models/lora/kept.safetensors"), content);
        start(config("library_reuse", "copy"), new JsonArray());
        settled();
        var url = storage.put("copied.bin", content);

        long id = json(daemon.post("/api/download",
                entry("vae", "copied.safetensors", url, Bytes.sha256(content)).toString()))
                .get("job").asObject().getLong("id", 0);
        var job = daemon.await(id, "completed");

        Path target = Path.of((String) job.get("target_path"));
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(0, storage.requests("copied.bin").size());
        assertEquals(old.toString(), job.get("from_library"));
        assertNotEquals(Files.readAttributes(old, BasicFileAttributes.class).fileKey(),
                Files.readAttributes(target, BasicFileAttributes.class).fileKey(),
                "a copy, not a link");
        assertFalse(Files.exists(target.resolveSibling("copied.safetensors.library.part")));
    }

    @Test
    void off_downloadsEvenWhenTheLibraryHoldsTheFile() throws Exception {
        byte[] content = Bytes.random(100_000, 75);
        write(dir.resolve("models/lora/have.safetensors"), content);
        start(config("library_reuse", "off"), new JsonArray());
        settled();
        var url = storage.put("again.bin", content);

        long id = json(daemon.post("/api/download",
                entry("vae", "again.safetensors", url, Bytes.sha256(content)).toString()))
                .get("job").asObject().getLong("id", 0);
        var job = daemon.await(id, "completed");

        assertTrue(storage.requests("again.bin").size() >= 1, "downloaded");
        assertNull(job.get("from_library"));
    }

    @Test
    void aHashTheLibraryDoesNotHold_isDownloaded() throws Exception {
        write(dir.resolve("models/lora/other.safetensors"), Bytes.random(10_000, 72));
        start(new JsonArray());
        settled();
        byte[] content = Bytes.random(200_000, 73);
        var url = storage.put("new.bin", content);

        long id = json(daemon.post("/api/download",
                entry("lora", "new.safetensors", url, Bytes.sha256(content)).toString()))
                .get("job").asObject().getLong("id", 0);
        daemon.await(id, "completed");

        assertTrue(storage.requests("new.bin").size() >= 1, "downloaded");
    }
}
