package civitai.daemon.workflow;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which ComfyUI folder a loader node's model inputs live in, after ComfyUI's nodes.py and
 * folder_paths.py, plus common custom loaders. A node not listed here whose value still ends in a
 * model extension is a reference with no folder.
 */
final class LoaderTable {
    private static final Map<String, String> FOLDER_BY_CLASS = Map.ofEntries(
            Map.entry("CheckpointLoaderSimple", "checkpoints"),
            Map.entry("CheckpointLoader", "checkpoints"),
            Map.entry("ImageOnlyCheckpointLoader", "checkpoints"),
            Map.entry("unCLIPCheckpointLoader", "checkpoints"),
            Map.entry("LoraLoader", "loras"),
            Map.entry("LoraLoaderModelOnly", "loras"),
            Map.entry("VAELoader", "vae"),
            Map.entry("UNETLoader", "diffusion_models"),
            Map.entry("UnetLoaderGGUF", "diffusion_models"),
            Map.entry("CLIPLoader", "text_encoders"),
            Map.entry("DualCLIPLoader", "text_encoders"),
            Map.entry("TripleCLIPLoader", "text_encoders"),
            Map.entry("QuadrupleCLIPLoader", "text_encoders"),
            Map.entry("CLIPLoaderGGUF", "text_encoders"),
            Map.entry("DualCLIPLoaderGGUF", "text_encoders"),
            Map.entry("CLIPVisionLoader", "clip_vision"),
            Map.entry("ControlNetLoader", "controlnet"),
            Map.entry("DiffControlNetLoader", "controlnet"),
            Map.entry("UpscaleModelLoader", "upscale_models"),
            Map.entry("StyleModelLoader", "style_models"),
            Map.entry("GLIGENLoader", "gligen"),
            Map.entry("HypernetworkLoader", "hypernetworks"),
            Map.entry("PhotoMakerLoader", "photomaker"),
            Map.entry("IPAdapterModelLoader", "ipadapter"));

    /** ComfyUI still accepts the old folder names; the plan speaks the new ones. */
    private static final Map<String, String> LEGACY =
            Map.of("unet", "diffusion_models", "clip", "text_encoders");

    private static final Set<String> MODEL_EXTENSIONS =
            Set.of(".safetensors", ".ckpt", ".pt", ".pth", ".bin",
            ".gguf", ".sft", ".pkl", ".onnx");

    private LoaderTable() {}

    static Optional<String> folderOf(String nodeClass) {
        return Optional.ofNullable(FOLDER_BY_CLASS.get(nodeClass));
    }

    static String modernFolder(String folder) {
        return LEGACY.getOrDefault(folder, folder);
    }

    static boolean looksLikeModel(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        return MODEL_EXTENSIONS.stream().anyMatch(lower::endsWith);
    }
}
