package civitai.daemon.huggingface;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.HubDaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code <stem>.hf.json} beside a file downloaded from the Hub: where it came from, never a secret.
 */
class HfSidecarTest extends HubDaemonTest {
    private static final String TOKEN = "hf_sidecartoken0123456789";
    private final byte[] vae = Bytes.random(200_000, 51);
    private void startWith(Object... more) {
        start(hubConfig(more).set("hf_token", TOKEN),
                manifest());
    }

    private Path downloadVae() {
        var r = daemon.post("/api/download",
                new JsonObject().add("huggingface", "org/flux/vae/ae.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(202, r.statusCode(), r.body());
        daemon.await(json(r).get("job").asObject().getLong("id", 0), "completed");
        return daemon.models().resolve("vae");
    }

    @Test
    void aHubDownload_leavesTheSidecar_withWhereItCameFrom() throws IOException {
        String commit = hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
        hub.gate("org/flux", TOKEN);
        startWith();
        Path sidecar = downloadVae().resolve("ae.hf.json");
        Poll.until(() -> Files.exists(sidecar), () -> "the sidecar");

        String text = Files.readString(sidecar);
        JsonObject meta = Json.parse(text).asObject();
        assertEquals(List.of("repo", "path", "revision", "commit", "sha256", "size", "url"),
                meta.names());
        assertEquals("org/flux", meta.getString("repo", null));
        assertEquals("vae/ae.safetensors", meta.getString("path", null));
        assertEquals("main", meta.getString("revision", null));
        assertEquals(commit, meta.getString("commit", null));
        assertEquals(FakeHub.sha256(vae), meta.getString("sha256", null));
        assertEquals(vae.length, meta.getLong("size", -1));
        assertEquals(hub.base() + "/org/flux/resolve/" + commit + "/vae/ae.safetensors",
                meta.getString("url", null));
        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains("sig=") || text.contains(hub.cdnBase().toString()),
                "no signed CDN URL: " + text);
    }

    @Test
    void aSidecarThatCannotBeWritten_isLogged_andTheJobStaysCompleted() throws IOException {
        hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
        startWith();
        // nothing renames over it
        Files.createDirectories(daemon.models().resolve("vae/ae.hf.json/taken"));
        Path folder = downloadVae();
        Poll.until(() -> daemon.log("download.log")
                .contains("sidecar " + folder.resolve("ae.hf.json")
                + " not written"), () -> "the warning");

        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs WHERE state = 'completed'"));
        assertTrue(Files.isDirectory(folder.resolve("ae.hf.json")));
    }

    @Test
    void sidecarsOff_writesNone() throws IOException {
        hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
        startWith("sidecars", false);
        Path folder = downloadVae();
        daemon.stop();  // the download's thread, which would have written it, has ended

        try (var files = Files.list(folder)) {
            assertEquals(List.of("ae.safetensors"),
                    files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
