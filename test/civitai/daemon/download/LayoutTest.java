package civitai.daemon.download;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** download_dir can be a ComfyUI or A1111 install: each type lands in that UI's folder. */
class LayoutTest extends DaemonTest {
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
        start(config("layout", layout), manifest(entry(modelType, "m.safetensors", storage.put("m", content), null)));
        var job = daemon.await(1, "completed");

        Path expected = daemon.models().resolve(folder).resolve("m.safetensors");
        assertTrue(Files.exists(expected), expected + " exists");
        assertEquals(expected.toString(), job.get("target_path"));
    }
}
