package civitai.daemon.library;

import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scans of real folders: what is hashed again, what keeps its identity, what is refused. */
class ScanTest extends LibraryFixture {
    @TempDir Path outside;

    @Test
    void rescan_hashesOnlyNewOrChangedFiles() throws Exception {
        Path lora = dir.resolve("models/lora");
        write(lora.resolve("a.safetensors"), Bytes.random(300_000, 1));
        write(lora.resolve("b.safetensors"), Bytes.random(200_000, 2));
        write(lora.resolve("c.ckpt"), Bytes.random(100_000, 3));
        write(lora.resolve("c.ckpt.part"), Bytes.random(1000, 4));
        write(lora.resolve("a.civitai.json"), "{}".getBytes());
        write(lora.resolve("a.preview.png"), Bytes.random(1000, 5));
        start(new JsonArray());
        JsonObject first = settled().get("last").asObject();
        assertEquals(3, first.getLong("hashed", -1),
                "parts, sidecars and previews are not models: " + first);

        assertEquals(0, scan().getLong("hashed", -1), "nothing changed: nothing hashed");
        Files.write(lora.resolve("b.safetensors"), new byte[] {1}, StandardOpenOption.APPEND);
        write(lora.resolve("d.safetensors"), Bytes.random(50_000, 6));
        JsonObject third = scan();
        assertEquals(2, third.getLong("hashed", -1), "the changed file and the new one: " + third);

        JsonArray files = files("");
        assertEquals(4, files.size(), files.toString());
        JsonObject b = named(files, "b.safetensors");
        byte[] changed = Files.readAllBytes(lora.resolve("b.safetensors"));
        assertEquals(Bytes.sha256(changed), b.getString("sha256", null));
        assertEquals(Bytes.sha256(changed).substring(0, 10), b.getString("autov2", null));
        assertEquals("lora", b.getString("model_type", null));

        daemon.stop();
        daemon.startAgain();
        assertEquals(0, settled().get("last").asObject().getLong("hashed", -1),
                "a start hashes only what changed");
    }

    @Test
    void renamedFile_keepsItsRowAndIsNotHashedAgain() throws Exception {
        Path a = write(dir.resolve("models/lora/old-name.safetensors"), Bytes.random(100_000, 7));
        start(new JsonArray());
        settled();
        long id = only(files("")).getLong("id", 0);

        Files.createDirectories(dir.resolve("models/checkpoint"));
        Files.move(a, dir.resolve("models/checkpoint/new-name.safetensors").toAbsolutePath(),
                StandardCopyOption.ATOMIC_MOVE);
        JsonObject result = scan();
        assertEquals(0, result.getLong("hashed", -1), "the same inode, size and mtime: " + result);
        assertEquals(1, result.getLong("moved", -1));
        JsonObject moved = only(files(""));
        assertEquals(id, moved.getLong("id", 0), "the file keeps its row");
        assertEquals("new-name.safetensors", moved.getString("name", null));
        assertEquals("checkpoint", moved.getString("model_type", null),
                "its folder says what it is now");

        Path copy = dir.resolve("models/lora/copied.safetensors");
        Files.copy(dir.resolve("models/checkpoint/new-name.safetensors"), copy);
        Files.delete(dir.resolve("models/checkpoint/new-name.safetensors"));
        JsonObject again = scan();
        assertEquals(1, again.getLong("hashed", -1), "a new inode is hashed: " + again);
        assertEquals(id, only(files("")).getLong("id", 0), "and recognised by its SHA-256");
    }

    @Test
    void vanishedFile_isMarkedMissing_notForgotten() throws Exception {
        Path a = write(dir.resolve("models/vae/v.safetensors"), Bytes.random(10_000, 8));
        start(new JsonArray());
        settled();
        Files.delete(a);
        assertEquals(1, scan().getLong("missing", -1));
        JsonObject row = only(files("&state=missing"));
        assertEquals("missing", row.getString("state", null));
        assertEquals(0, files("&state=present").size());

        write(a, Bytes.random(10_000, 8));
        Files.setLastModifiedTime(a, FileTime.fromMillis(1_700_000_000_000L));
        scan();
        assertEquals(row.getLong("id", 0), only(files("&state=present")).getLong("id", -1),
                "back, same row");
    }

    @Test
    void symlinks_followedWithinTheRoots_reportedAndSkippedOutOfThem() throws Exception {
        Path target = write(dir.resolve("models/checkpoint/real.safetensors"),
                Bytes.random(20_000, 9));
        Files.createDirectories(dir.resolve("models/lora"));
        Files.createSymbolicLink(dir.resolve("models/lora/inside.safetensors"),
                target.toAbsolutePath());
        Path away = write(outside.resolve("away.safetensors"), Bytes.random(20_000, 10));
        Files.createSymbolicLink(dir.resolve("models/lora/away.safetensors"), away);
        Files.createSymbolicLink(dir.resolve("models/elsewhere"), outside);
        Files.createSymbolicLink(dir.resolve("models/checkpoint/loop"),
                dir.resolve("models").toAbsolutePath());
        start(new JsonArray());
        JsonObject last = settled().get("last").asObject();

        JsonArray files = files("");
        assertEquals(2, files.size(), "the file and the link to it inside the roots: " + files);
        named(files, "inside.safetensors");
        String skipped = last.get("skipped").toString();
        assertTrue(skipped.contains("away.safetensors")
                && skipped.contains("out of the library's roots"), skipped);
        assertTrue(skipped.contains("elsewhere"), skipped);
        assertTrue(skipped.contains("loop"), skipped);
        assertEquals(0, json(daemon.get("/api/library/duplicates")).get("groups").asArray().size(),
                "a link to a file is that file, not a copy");
    }

    @Test
    void secondScan_is409_andScansCanBeCancelled() throws Exception {
        write(dir.resolve("models/lora/x.safetensors"), Bytes.random(1000, 11));
        CountDownLatch release = new CountDownLatch(1);
        civitai.holdByHash(release);  // the scan waits in its identification step, so it is running
        try {
            start(new JsonArray());
            civitai.awaitByHashHeld();
            var second = daemon.post("/api/library/scan", null);
            assertEquals(409, second.statusCode(), second.body());
            assertTrue(second.body().contains("scan_running"), second.body());
            var cancelled = daemon.send("DELETE", "/api/library/scan", null, null);
            assertEquals(200, cancelled.statusCode(), cancelled.body());
            assertTrue(json(cancelled).getBoolean("cancelled", false), cancelled.body());
        } finally {
            release.countDown();
        }
        JsonObject status = settled();
        assertFalse(status.getBoolean("running", true));
        var none = daemon.send("DELETE", "/api/library/scan", null, null);
        assertFalse(json(none).getBoolean("cancelled", true), "no scan runs now");
    }

    @Test
    void aRootInsideDownloadDir_isIndexedOnce_asReadOnly() throws Exception {
        Path extra = dir.resolve("models/shared");
        write(extra.resolve("loras/s.safetensors"), Bytes.random(4_000, 12));
        write(dir.resolve("models/lora/own.safetensors"), Bytes.random(4_000, 13));
        start(config().add("library_roots", new JsonArray().add(extra.toString())),
                new JsonArray());
        settled();
        JsonArray files = files("");
        assertEquals(2, files.size(), files.toString());
        assertTrue(named(files, "s.safetensors").getBoolean("read_only", false));
        assertFalse(named(files, "own.safetensors").getBoolean("read_only", true));
        assertEquals(0, scan().getLong("missing", -1), "a scan of every root loses nothing");
    }
}
