package civitai.daemon.civitai;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeCivitai;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The metadata and preview written beside a model that came from a Civitai reference. */
class SidecarTest extends DaemonTest {
    static final String STEM = "pp-storybook_rank2_bf16";

    private Path lora(String name) {
        return daemon.models().resolve("lora").resolve(name);
    }

    private void addFlux() {
        var r = daemon.post("/api/download", "{\"versionId\": 1387174}");
        assertEquals(202, r.statusCode(), r.body());
        daemon.await(json(r).get("job").asObject().getLong("id", 0), "completed");
    }

    @Test
    void metadataAndTheFirstSafeImage_areWrittenBesideTheModel() throws IOException {
        start(manifest());
        addFlux();
        Path meta = lora(STEM + ".civitai.json");
        Path preview = lora(STEM + ".preview.jpeg");
        Poll.until(() -> Files.exists(meta) && Files.exists(preview), () -> "the sidecars");

        assertEquals(1387174, Json.parse(Files.readString(meta)).asObject().getLong("id", 0));
        String imagePath = "/images/xG1nkqKTMzGDvpLrqFT7WA/42b875cf-c62b-41fa-a349-383b7f074351"
                + "/width=832/56547310.jpeg";
        assertArrayEquals(FakeCivitai.image(imagePath), Files.readAllBytes(preview));
    }

    @Test
    void nsfwImagesAreSkipped_unlessAllowed() throws IOException {
        JsonObject version = Json.parse(civitai.body("/api/v1/model-versions/1387174")).asObject();
        JsonArray images = version.get("images").asArray();
        JsonObject nsfw = Json.parse(images.get(0).toString()).asObject()
                .set("url", "https://image.civitai.com/nsfw/first.jpeg").set("nsfwLevel", 16);
        JsonArray reordered = new JsonArray().add(nsfw);
        images.values().forEach(reordered::add);
        civitai.body("/api/v1/model-versions/1387174", version.set("images", reordered).toString());
        start(manifest());
        addFlux();
        Path preview = lora(STEM + ".preview.jpeg");
        Poll.until(() -> Files.exists(preview), () -> "the preview");
        assertFalse(new String(Files.readAllBytes(preview)).contains("/images/nsfw/first.jpeg"),
                "the NSFW one was skipped");

        daemon.stop();
        Files.delete(preview);
        Files.delete(lora(STEM + ".safetensors"));
        daemon.startAgain();
        var r = daemon.send("DELETE", "/api/jobs/1", null, null);
        assertEquals(200, r.statusCode());
        daemon.stop();
        Files.writeString(dir.resolve("config.json"),
                config("allow_nsfw_previews", true).toString());
        daemon.startAgain();
        addFlux();
        Poll.until(() -> Files.exists(preview), () -> "the preview");
        assertArrayEquals(FakeCivitai.image("/images/nsfw/first.jpeg"),
                Files.readAllBytes(preview));
    }
}
