package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonArray;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * download_dir can be a ComfyUI or A1111 install: each type lands in that UI's folder, and types
 * a layout puts in one folder share their targets.
 */
class LayoutTest extends DaemonTest {
    private static final List<String> TYPES =
            List.of("checkpoint", "lora", "embedding", "vae", "controlnet", "upscaler",
                    "hypernetwork", "motion_module", "text_encoder", "unet", "clip_vision",
            "poses");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "flat    | lora          | lora",
        "comfyui | checkpoint    | models/checkpoints",
        "comfyui | lora          | models/loras",
        "comfyui | embedding     | models/embeddings",
        "comfyui | upscaler      | models/upscale_models",
        "comfyui | poses         | models/poses",
        "a1111   | checkpoint    | models/Stable-diffusion",
        "a1111   | lora          | models/Lora",
        "a1111   | embedding     | embeddings",
        "a1111   | vae           | models/VAE",
        "a1111   | controlnet    | models/ControlNet",
        "a1111   | upscaler      | models/ESRGAN",
        "a1111   | wildcards     | models/wildcards",
    })
    void eachTypeLandsInTheLayoutsFolder(String layout, String modelType, String folder) {
        byte[] content = Bytes.random(20_000, 91);
        start(config("layout", layout),
                manifest(entry(modelType, "m.safetensors", storage.put("m", content), null)));
        var job = daemon.await(1, "completed");

        Path expected = daemon.models().resolve(folder).resolve("m.safetensors");
        assertTrue(Files.exists(expected), expected + " exists");
        assertEquals(expected.toString(), job.get("target_path"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "flat    | ''",
        "comfyui | ''",
        "a1111   | checkpoint",  // unet shares models/Stable-diffusion and comes later in the batch
    })
    void noTwoLiveJobs_holdOneResolvedPath(String layout, String superseded) {
        JsonArray batch = new JsonArray();
        for (int i = 0; i < TYPES.size(); i++) {
            byte[] content = Bytes.random(5_000, 200 + i);
            batch.add(entry(TYPES.get(i), "m.safetensors", storage.put("m" + i, content),
                    Bytes.sha256(content)));
        }
        start(config("layout", layout), new JsonArray());
        var r = daemon.post("/api/batch", batch.toString());
        assertEquals(202, r.statusCode(), r.body());
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM jobs WHERE state NOT IN"
                + " ('completed', 'superseded')") == 0,
                () -> "every job to end: " + daemon.db()
                        .query("SELECT id, model_type, state FROM jobs"));

        List<Map<String, Object>> live = daemon.db().query("SELECT model_type, target_path"
                + " FROM jobs WHERE state <> 'superseded'");
        Set<Object> paths = new HashSet<>();
        live.forEach(job -> assertTrue(paths.add(job.get("target_path")),
                "one live job per file: " + live));
        assertEquals(superseded.isEmpty() ? List.of() : List.of(Map.of("model_type", superseded)),
                daemon.db().query("SELECT model_type FROM jobs WHERE state = 'superseded'"));
    }

    @Test
    void aLayoutThatFoldsTwoTypesIntoOneFolder_letsTheNewestJobOfTheTargetKeepIt()
            throws IOException {
        URI missing = storage.url("gone");  // 404: the jobs fail and keep no target path
        start(manifest(entry("checkpoint", "m.safetensors", missing, null),
                entry("unet", "m.safetensors", missing, null)));
        long checkpoint = idOf("checkpoint");
        long unet = idOf("unet");
        daemon.await(checkpoint, "failed");
        daemon.await(unet, "failed");
        daemon.stop();

        Files.writeString(dir.resolve("config.json"), config("layout", "a1111").toString());
        daemon.startAgain();
        daemon.await(checkpoint, "superseded");
        assertEquals("failed", daemon.state(unet),
                "the newer job keeps models/Stable-diffusion/m.safetensors");
    }

    private long idOf(String modelType) {
        Poll.until(() -> daemon.db().count("SELECT count(*) FROM jobs WHERE model_type = ?",
                modelType) == 1, () -> "a " + modelType + " job");
        return ((Number) daemon.db().one("SELECT id FROM jobs WHERE model_type = ?", modelType)
                .get("id")).longValue();
    }
}
