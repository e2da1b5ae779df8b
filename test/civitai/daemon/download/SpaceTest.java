package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.SseClient;
import com.eclipsesource.json.JsonArray;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Space before a byte, on a real 4 MiB tmpfs as download_dir with 1 MiB kept free. */
class SpaceTest extends DaemonTest {
    private Path small;

    @BeforeEach
    void mountSmallFileSystem() throws Exception {
        small = dir.resolve("small");
        Files.createDirectories(small);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString()),
                "tmpfs needs root");
    }

    @AfterEach
    void unmount() throws Exception {
        if (daemon != null) {
            daemon.stop();
        }
        run("umount", "-l", small.toString());
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private long submit(String name, byte[] content, long size) {
        var body = entry("lora", name, storage.put(name, content), Bytes.sha256(content))
                .add("size", size);
        return json(daemon.post("/api/download", body.toString())).get("job").asObject()
                .getLong("id", 0);
    }

    @Test
    void aJobThatWouldLeaveTooLittleFree_waits_thenStartsWhenSpaceAppears() throws Exception {
        Path filler = Files.write(small.resolve("filler.bin"), new byte[2 << 20]);
        start(config("download_dir", small.toString(), "min_free_space", 1 << 20), new JsonArray());
        byte[] content = Bytes.random(3 << 19, 81);  // 1.5 MiB: 2 MiB free would leave 0.5 MiB

        long id = submit("wait.safetensors", content, content.length);
        Map<String, Object> waiting = daemon.await(id, "waiting_space");
        assertTrue(String.valueOf(waiting.get("last_error"))
                .contains("(" + content.length + " bytes)"), waiting.toString());
        assertEquals(0, storage.requests("wait.safetensors").size(), "no attempt while waiting");
        assertTrue(json(daemon.get("/api/meta")).toString().contains("waiting_space"),
                "the GUI's state list");

        Files.delete(filler);
        daemon.await(id, "completed");
        assertEquals(content.length, Files.size(small.resolve("lora").resolve("wait.safetensors")));
    }

    @Test
    void waitingForSpace_andQueuedAgain_arePublishedOnTheLiveStream() throws Exception {
        Path filler = Files.write(small.resolve("filler.bin"), new byte[2 << 20]);
        start(config("download_dir", small.toString(), "min_free_space", 1 << 20), new JsonArray());
        byte[] content = Bytes.random(3 << 19, 84);

        try (SseClient sse = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            long id = submit("live.safetensors", content, content.length);
            var waiting = sse.await("job.waiting_space", id);
            assertTrue(waiting.data().contains("(" + content.length + " bytes)"), waiting.data());
            assertTrue(waiting.data().contains(" free"), waiting.data());

            Files.delete(filler);
            long waitedAt = Long.parseLong(waiting.id());
            sse.await(e -> e.name().equals("job.queued") && Long.parseLong(e.id()) > waitedAt
                    && e.data().contains("\"job_id\":" + id + ","), "queued again");
            sse.await("job.completed", id);
        }
    }

    @Test
    void status_showsEachFileSystemOnce_withItsFreeAndTotalAndWhatIsKeptFree() throws Exception {
        Files.write(small.resolve("filler.bin"), new byte[1 << 20]);
        Path other = Files.createDirectories(dir.resolve("other-root"));
        start(config("download_dir", small.toString(), "min_free_space", 1 << 20)
                .add("library_roots", new JsonArray().add(other.toString())
                        .add(small.resolve("lora").toString())),
                new JsonArray());

        var disks = daemon.getJson("/api/status").get("disk_space").asArray();
        assertEquals(2, disks.size(), "the tmpfs once (download_dir and a root in it),"
                + " the temp folder's: " + disks);
        var tmpfs = disks.get(0).asObject();
        assertEquals(small.toAbsolutePath().toString(), tmpfs.getString("path", null));
        assertEquals(4 << 20, tmpfs.getLong("total_bytes", 0));
        assertEquals(3 << 20, tmpfs.getLong("free_bytes", 0), "4 MiB less the filler");
        assertEquals(1 << 20, tmpfs.getLong("min_free_space", 0));
        assertEquals(other.toAbsolutePath().toString(),
                disks.get(1).asObject().getString("path", null));
        String metrics = daemon.get("/metrics").body();
        assertTrue(metrics.contains("civitai_daemon_free_bytes{path=\"" + small.toAbsolutePath()
                + "\"} " + (3 << 20) + "\n"), metrics);
    }

    @Test
    void aJobLargerThanTheFileSystem_failsAtOnceWithDiskSpace() {
        start(config("download_dir", small.toString(), "min_free_space", 1 << 20), new JsonArray());
        byte[] content = Bytes.random(100, 82);

        long id = submit("huge.safetensors", content, 8L << 20);
        Map<String, Object> failed = daemon.await(id, "failed");

        assertEquals("disk_space", failed.get("failure_reason"));
        assertEquals(0, storage.requests("huge.safetensors").size());
    }

    @Test
    void aWaitingJob_canBeCancelled() throws Exception {
        Files.write(small.resolve("filler.bin"), new byte[3 << 20]);
        start(config("download_dir", small.toString(), "min_free_space", 1 << 20), new JsonArray());
        byte[] content = Bytes.random(1 << 19, 83);

        long id = submit("cancel.safetensors", content, content.length);
        daemon.await(id, "waiting_space");
        var r = daemon.post("/api/jobs/" + id + "/cancel", null);

        assertEquals(200, r.statusCode(), r.body());
        daemon.await(id, "cancelled");
    }
}
