package civitai.daemon.civitai;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Civitai's model type → the daemon's {@code model_type} (the folder under download_dir). One
 * documented table; a type Civitai adds later maps to {@code other} until it is listed here, so
 * nothing unknown ever lands among the checkpoints.
 *
 * <pre>
 * Civitai                                  model_type
 * Checkpoint                               checkpoint
 * LORA, LoCon, DoRA                        lora
 * TextualInversion                         embedding
 * VAE, and a VAE file of any model         vae
 * Controlnet                               controlnet
 * Upscaler                                 upscaler
 * Hypernetwork                             hypernetwork
 * MotionModule                             motion_module
 * TextEncoder, CLIP                        text_encoder
 * UNet                                     unet
 * CLIPVision                               clip_vision
 * AestheticGradient                        aesthetic_gradient
 * Poses, Wildcards, Detection              poses, wildcards, detection
 * Workflows, ComfyWorkflows                workflows
 * VisionLanguage, LLM, Other, anything new other
 * </pre>
 */
public final class ModelTypes {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("checkpoint", "checkpoint"), Map.entry("lora", "lora"),
            Map.entry("locon", "lora"), Map.entry("dora", "lora"),
            Map.entry("textualinversion", "embedding"), Map.entry("vae", "vae"),
            Map.entry("controlnet", "controlnet"), Map.entry("upscaler", "upscaler"),
            Map.entry("hypernetwork", "hypernetwork"), Map.entry("motionmodule", "motion_module"),
            Map.entry("textencoder", "text_encoder"), Map.entry("clip", "text_encoder"),
            Map.entry("unet", "unet"), Map.entry("clipvision", "clip_vision"),
            Map.entry("aestheticgradient", "aesthetic_gradient"), Map.entry("poses", "poses"),
            Map.entry("wildcards", "wildcards"), Map.entry("workflows", "workflows"),
            Map.entry("comfyworkflows", "workflows"), Map.entry("detection", "detection"),
            Map.entry("visionlanguage", "other"), Map.entry("llm", "other"),
            Map.entry("other", "other"));

    private ModelTypes() {}

    /** Every {@code model_type} this table gives, in the table's order (checkpoint first). */
    public static List<String> names() {
        return List.of("checkpoint", "lora", "embedding", "vae", "controlnet", "upscaler",
                "hypernetwork", "motion_module", "text_encoder", "unet", "clip_vision",
                "aesthetic_gradient", "poses", "wildcards", "workflows", "detection", "other");
    }

    /**
     * Every {@code model_type} this table gives, by name with {@code other} last: the types a
     * person is offered (any other safe name is accepted too, and gets a folder of its own).
     */
    public static List<String> known() {
        return TYPES.values().stream().distinct()
                .sorted(Comparator.comparing((String t) -> t.equals("other")).thenComparing(t -> t))
                .toList();
    }

    /**
     * The {@code model_type} for Civitai's {@code type} and the file's own {@code type}: a VAE file
     * bundled with a checkpoint is a vae.
     */
    public static String of(String civitaiType, String fileType) {
        if (fileType != null && fileType.equalsIgnoreCase("VAE")) {
            return "vae";
        }
        if (civitaiType == null) {
            return "other";
        }
        return TYPES.getOrDefault(civitaiType.toLowerCase(Locale.ROOT), "other");
    }
}
