package civitai.daemon.workflow;

import java.util.Map;
import java.util.Optional;

/**
 * ComfyUI's folder names as the daemon's model types, so a reference lands in every layout
 * (flat, comfyui, a1111) where that layout keeps the type. A folder the daemon has no type for
 * keeps its own name, which each layout places under {@code models/}.
 */
public final class ModelTypes {
    private static final Map<String, String> TYPE_BY_FOLDER = Map.ofEntries(
            Map.entry("checkpoints", "checkpoint"), Map.entry("loras", "lora"),
            Map.entry("embeddings", "embedding"), Map.entry("vae", "vae"),
            Map.entry("controlnet", "controlnet"), Map.entry("upscale_models", "upscaler"),
            Map.entry("hypernetworks", "hypernetwork"),
            Map.entry("animatediff_models", "motion_module"),
            Map.entry("text_encoders", "text_encoder"), Map.entry("diffusion_models", "unet"),
            Map.entry("clip_vision", "clip_vision"));

    private ModelTypes() {}

    /** The daemon's {@code model_type} for a ComfyUI folder name (legacy names included). */
    public static Optional<String> of(Optional<String> comfyFolder) {
        return comfyFolder.map(LoaderTable::modernFolder)
                .map(f -> TYPE_BY_FOLDER.getOrDefault(f, f));
    }
}
