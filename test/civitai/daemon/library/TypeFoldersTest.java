package civitai.daemon.library;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.target.Layout;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A file's model_type from the layouts' folder names, whichever UI's folders hold it. */
class TypeFoldersTest {
    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
        "models, FLAT, checkpoint/x.safetensors, checkpoint",
        "models, FLAT, lora/sub/x.safetensors, lora",
        "ComfyUI, COMFYUI, models/loras/x.safetensors, lora",
        "models, COMFYUI, loras/x.safetensors, lora",
        "models, COMFYUI, diffusion_models/x.gguf, unet",
        "models, COMFYUI, upscale_models/4x.pth, upscaler",
        "webui, A1111, models/Stable-diffusion/x.ckpt, checkpoint",
        "webui, A1111, embeddings/x.pt, embedding",
        "webui, A1111, models/Lora/x.safetensors, lora",
        "loras, COMFYUI, x.safetensors, lora",
        "models, COMFYUI, random/x.safetensors, null",
    })
    void typeOf_readsTheFolders(String rootName, Layout layout, String relative, String type) {
        assertEquals(type, new TypeFolders(layout).typeOf(rootName, Path.of(relative)));
    }
}
