package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A link planted at a part or a target in a type folder is never followed: nothing outside
 * download_dir is created, extended or read as the download's bytes. A type folder that is
 * itself a link is used as given.
 */
class PartSymlinkTest extends DaemonTest {
    @TempDir Path outside;

    private final byte[] content = Bytes.random(300_000, 71);

    private Path lora() throws IOException {
        return Files.createDirectories(dir.resolve("models/lora"));
    }

    private long download(String name) {
        var url = storage.put(name, content);
        start(manifest(entry("lora", name + ".safetensors", url, Bytes.sha256(content))));
        return daemon.idOf(name + ".safetensors");
    }

    /** The completed job's file is a regular file in the type folder with the download's bytes. */
    private void assertRegularFileWithContent(long id, Path target) throws IOException {
        Map<String, Object> job = daemon.await(id, "completed");
        assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS),
                target + " is a regular file");
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(Bytes.sha256(content), job.get("sha256"));
        assertFalse(Files.exists(target.resolveSibling(target.getFileName() + ".part"),
                LinkOption.NOFOLLOW_LINKS), "no part is left");
    }

    @Test
    void danglingLinkAsPart_isRemoved_andNothingIsCreatedOutside() throws IOException {
        Path escape = outside.resolve("escape.bin");
        Files.createSymbolicLink(lora().resolve("dangling.safetensors.part"), escape);

        long id = download("dangling");

        assertRegularFileWithContent(id, lora().resolve("dangling.safetensors"));
        assertFalse(Files.exists(escape, LinkOption.NOFOLLOW_LINKS),
                "nothing was written outside download_dir");
        String log = daemon.log("download.log");
        assertTrue(log.lines().anyMatch(l ->
                l.contains(" WARN ") && l.contains("dangling.safetensors.part was not"
                + " a regular file")), "the removed link is logged as a warning: " + log);
    }

    @Test
    void linkToAnOutsideFileAsPart_leavesThatFileUnchanged_andDownloadsFromZero()
            throws IOException {
        byte[] theirs = Bytes.random(100_000, 72);
        Path victim = Files.write(outside.resolve("victim.bin"), theirs);
        Files.createSymbolicLink(lora().resolve("linked.safetensors.part"), victim);

        long id = download("linked");

        assertRegularFileWithContent(id, lora().resolve("linked.safetensors"));
        assertArrayEquals(theirs, Files.readAllBytes(victim), "the outside file is untouched");
        assertEquals(null, storage.requests("linked").get(0).header("Range"),
                "the download started from byte 0");
    }

    @Test
    void linkAsTarget_isAFileThisDaemonDidNotPutThere_andIsKept() throws IOException {
        // even the right bytes
        Path theirs = Files.write(outside.resolve("theirs.safetensors"), content);
        Path target = Files.createSymbolicLink(lora().resolve("aimed.safetensors"), theirs);

        long id = download("aimed");

        daemon.await(id, "failed");
        assertEquals("target_exists", daemon.job(id).get("failure_reason"));
        assertTrue(Files.isSymbolicLink(target), "the link is kept as it was");
        assertArrayEquals(content, Files.readAllBytes(theirs));
        assertEquals(0, storage.requests("aimed").size(), "nothing was fetched");
    }

    @Test
    void danglingLinkAsTarget_isKept_andNothingIsFetched() throws IOException {
        Path target = Files.createSymbolicLink(lora().resolve("gone.safetensors"),
                outside.resolve("gone.bin"));

        long id = download("gone");

        daemon.await(id, "failed");
        assertEquals("target_exists", daemon.job(id).get("failure_reason"));
        assertTrue(Files.isSymbolicLink(target), "the link is kept as it was");
        assertFalse(Files.exists(outside.resolve("gone.bin"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, storage.requests("gone").size(), "nothing was fetched");
    }

    @Test
    void linkAsTarget_withReplace_isReplacedItself_notWrittenThrough() throws IOException {
        byte[] theirs = Bytes.random(100_000, 73);
        Path victim = Files.write(outside.resolve("victim.safetensors"), theirs);
        Files.createSymbolicLink(lora().resolve("swapped.safetensors"), victim);
        var url = storage.put("swapped", content);
        start(config("existing_files", "replace"),
                manifest(entry("lora", "swapped.safetensors", url, Bytes.sha256(content))));

        assertRegularFileWithContent(daemon.idOf("swapped.safetensors"),
                lora().resolve("swapped.safetensors"));
        assertArrayEquals(theirs, Files.readAllBytes(victim),
                "the file the link pointed to is untouched");
    }

    @Test
    void typeFolderThatIsALink_isUsedAsGiven() throws IOException {
        Path disk = Files.createDirectories(outside.resolve("other-disk"));
        Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(dir.resolve("models/lora"), disk);

        long id = download("elsewhere");

        assertRegularFileWithContent(id, disk.resolve("elsewhere.safetensors"));
    }

    @Test
    void fileNameWithASubFolder_isPlacedThere() throws IOException {
        var url = storage.put("nested", content);
        start(manifest(entry("lora", "sd15/style/nested.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("sd15/style/nested.safetensors");
        assertRegularFileWithContent(id, lora().resolve("sd15/style/nested.safetensors"));
    }

    @Test
    void subFolderThatIsALinkOutOfTheTypeFolder_failsTheJob_andNothingIsWrittenThrough()
            throws IOException {
        Files.createSymbolicLink(lora().resolve("sd15"), outside);
        var url = storage.put("escaped", content);
        start(manifest(entry("lora", "sd15/deeper/escaped.safetensors", url,
                Bytes.sha256(content))));
        long id = daemon.idOf("sd15/deeper/escaped.safetensors");

        Map<String, Object> job = daemon.await(id, "failed");
        assertEquals("unsafe_path", job.get("failure_reason"),
                String.valueOf(job.get("last_error")));
        assertFalse(Files.exists(outside.resolve("deeper")), "no folder was made through the link");
        assertEquals(0, storage.requests("escaped").size(), "nothing was fetched");
    }

    @Test
    void fileNameThatClimbsOut_isRefusedAsAnEntry() {
        start(manifest());
        for (String name : new String[] {"../x.safetensors", "a/../../x.safetensors",
                "/etc/x.safetensors", "a//x.safetensors"}) {
            var r = daemon.post("/api/download",
                    "{\"url\": \"" + storage.put("x", content) + "\", \"model_type\": \"lora\","
                    + " \"filename\": \"" + name + "\"}");
            assertEquals(400, r.statusCode(), name + ": " + r.body());
        }
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
    }

    @Test
    void subFolderThatIsADanglingLink_failsTheJob_andMakesNothingWhereItPoints()
            throws IOException {
        Files.createSymbolicLink(lora().resolve("gone"), outside.resolve("no-such-folder"));
        var url = storage.put("nowhere", content);
        start(manifest(entry("lora", "gone/nowhere.safetensors", url, Bytes.sha256(content))));

        Map<String, Object> job = daemon.await(daemon.idOf("gone/nowhere.safetensors"), "failed");
        assertEquals("unsafe_path", job.get("failure_reason"),
                String.valueOf(job.get("last_error")));
        assertFalse(Files.exists(outside.resolve("no-such-folder")),
                "no folder was made where the link points");
    }

    @Test
    void subFolderSwappedForALinkDuringTheDownload_failsTheJob_andRenamesNothingWhereItPoints()
            throws Exception {
        var release = new CountDownLatch(1);
        var url = storage.put("swapped", content);
        storage.fault("swapped", new Fault.Hold(100_000, release));
        start(manifest(entry("lora", "sd15/swapped.safetensors", url, Bytes.sha256(content))));
        long id = daemon.idOf("sd15/swapped.safetensors");
        Path sub = lora().resolve("sd15");
        Poll.until(() -> Files.exists(sub.resolve("swapped.safetensors.part")),
                () -> "the part in its sub-folder");

        Files.move(sub, lora().resolve("sd15-moved"));
        Files.createSymbolicLink(sub, outside);
        byte[] planted = "a file of someone else's".getBytes();
        Files.write(outside.resolve("swapped.safetensors.part"), planted);
        release.countDown();

        Map<String, Object> job = daemon.await(id, "failed");
        assertEquals("unsafe_path", job.get("failure_reason"),
                String.valueOf(job.get("last_error")));
        assertFalse(Files.exists(outside.resolve("swapped.safetensors"), LinkOption.NOFOLLOW_LINKS),
                "nothing was renamed where the link points");
        assertArrayEquals(planted, Files.readAllBytes(outside.resolve("swapped.safetensors.part")));
    }
}
