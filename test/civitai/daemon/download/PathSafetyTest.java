package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Names that would leave download_dir are refused with a reason; nothing is written outside it. */
class PathSafetyTest extends DaemonTest {
    byte[] content = Bytes.random(10_000, 12);

    /**
     * Regular files under root; one that vanishes mid-walk (other processes share /tmp) is skipped.
     */
    private List<Path> everyFileUnder(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    files.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.safetensors", "..", "a/../b.safetensors", "a//b.safetensors",
            "a\\b.safetensors", "/etc/passwd", "nul\u0000byte", "tab\tname", "CON", "con.txt",
                    "trailingdot.", "x.safetensors.part",
            "evil\u202Egnp.safetensors", "CONIN$", "COM\u00B9.bin", "zero\u200Bwidth.bin"})
    void unsafeFilename_isSkippedWithItsIndexAndReason(String filename) throws IOException {
        var url = storage.put("f.bin", content);
        var good = entry("lora", "good.safetensors", url, null);
        var bad = entry("lora", filename, url, null);
        start(manifest(good, bad));
        daemon.await(daemon.idOf("good.safetensors"), "completed");

        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"),
                "only the good entry is queued");
        String log = daemon.log("download.log");
        assertTrue(log.contains("entry #1 skipped: \"filename\""), log);
        assertEquals(List.of(daemon.models().resolve("lora/good.safetensors")),
                everyFileUnder(daemon.models()));
        assertEquals(List.of(), everyFileUnder(dir).stream()
                .filter(p -> p.getFileName().toString().contains("escape")).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../lora", "a/b", "", "/abs"})
    void unsafeModelType_isSkipped(String modelType) {
        var url = storage.put("t.bin", content);
        start(manifest(entry(modelType, "x.safetensors", url, null),
                entry("lora", "ok.safetensors", url, null)));
        daemon.await(daemon.idOf("ok.safetensors"), "completed");

        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"));
        assertTrue(daemon.log("download.log").contains("entry #0 skipped: \"model_type\""));
    }

    @Test
    void invalidEntries_areReportedAndTheOthersProceed() {
        var url = storage.put("v.bin", content);
        start(manifest(
                new JsonObject().add("model_type", "lora"),
                entry("lora", "hash.safetensors", url, "not-a-hash"),
                entry("lora", "scheme.safetensors", URI.create("file:///etc/passwd"), null),
                entry("lora", "fine.safetensors", url, null),
                Json.value(7)));
        daemon.await(daemon.idOf("fine.safetensors"), "completed");

        String log = daemon.log("download.log");
        assertTrue(log.contains("entry #0 skipped: \"url\" is missing"), log);
        assertTrue(log.contains("entry #1 skipped: \"sha256\" must be 64 hex digits"), log);
        assertTrue(log.contains("entry #2 skipped: \"url\" must be an absolute http://"
                + " or https:// URL"), log);
        assertTrue(log.contains("entry #4 skipped: an entry must be a JSON object"), log);
        assertTrue(log.contains("manifest: 1 entries, 1 new job(s), 4 skipped"), log);
        assertTrue(daemon.log("error.log").contains("entry #0 skipped"), "skips are warnings");
    }

    @Test
    void serverFilenameWithAPath_isReducedToItsLastSegment() throws IOException {
        var url = storage.put("cd.bin", content, "attachment; filename=\"../../evil.sh\"");
        start(manifest(entry("lora", null, url, null)));
        daemon.await(daemon.idOf(url.toString()), "completed");

        assertEquals(List.of(daemon.models().resolve("lora/evil.sh")),
                everyFileUnder(daemon.models()));
    }

    @Test
    void rfc6266ExtendedFilename_winsAndIsDecoded() throws IOException {
        var url = storage.put("utf.bin", content,
                "attachment; filename=\"fallback.safetensors\";"
                + " filename*=UTF-8''%C3%9Cber%20Modell.safetensors");
        start(manifest(entry("lora", null, url, null)));
        daemon.await(daemon.idOf(url.toString()), "completed");

        assertArrayEquals(content, Files.readAllBytes(daemon.models()
                .resolve("lora/Über Modell.safetensors")));
    }
}
