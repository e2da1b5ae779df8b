package civitai.daemon.target;

import java.nio.file.Path;
import java.util.Map;

/**
 * Which folder under {@code download_dir} a {@code model_type} goes to. {@code flat} (the default)
 * is {@code download_dir/<model_type>/}; {@code comfyui} and {@code a1111} use those UIs' own
 * folders, so download_dir can point straight at an install. A type a layout does not know goes to
 * {@code models/<model_type>}, never to the checkpoints.
 *
 * <pre>
 * model_type       comfyui                      a1111
 * checkpoint       models/checkpoints           models/Stable-diffusion
 * lora             models/loras                 models/Lora
 * embedding        models/embeddings            embeddings
 * vae              models/vae                   models/VAE
 * controlnet       models/controlnet            models/ControlNet
 * upscaler         models/upscale_models        models/ESRGAN
 * hypernetwork     models/hypernetworks         models/hypernetworks
 * motion_module    models/animatediff_models    models/AnimateDiff
 * text_encoder     models/text_encoders         models/text_encoder
 * unet             models/diffusion_models      models/Stable-diffusion
 * clip_vision      models/clip_vision           models/clip_vision
 * </pre>
 */
public enum Layout {
    FLAT(Map.of()),
    COMFYUI(Map.ofEntries(Map.entry("checkpoint", "models/checkpoints"),
            Map.entry("lora", "models/loras"), Map.entry("embedding", "models/embeddings"),
            Map.entry("vae", "models/vae"), Map.entry("controlnet", "models/controlnet"),
            Map.entry("upscaler", "models/upscale_models"),
            Map.entry("hypernetwork", "models/hypernetworks"),
            Map.entry("motion_module", "models/animatediff_models"),
            Map.entry("text_encoder", "models/text_encoders"),
            Map.entry("unet", "models/diffusion_models"),
            Map.entry("clip_vision", "models/clip_vision"))),
    A1111(Map.ofEntries(Map.entry("checkpoint", "models/Stable-diffusion"),
            Map.entry("lora", "models/Lora"), Map.entry("embedding", "embeddings"),
            Map.entry("vae", "models/VAE"), Map.entry("controlnet", "models/ControlNet"),
            Map.entry("upscaler", "models/ESRGAN"),
            Map.entry("hypernetwork", "models/hypernetworks"),
            Map.entry("motion_module", "models/AnimateDiff"),
            Map.entry("text_encoder", "models/text_encoder"),
            Map.entry("unet", "models/Stable-diffusion"),
            Map.entry("clip_vision", "models/clip_vision")));

    private final Map<String, String> folders;

    Layout(Map<String, String> folders) {
        this.folders = folders;
    }

    /** The folder for {@code modelType} (a safe single segment) under {@code downloadDir}. */
    public Path folder(Path downloadDir, String modelType) {
        if (this == FLAT) {
            return downloadDir.resolve(modelType);
        }
        return downloadDir.resolve(folders.getOrDefault(modelType, "models/" + modelType));
    }
}
