package civitai.daemon.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.library.index.LibraryFile;
import civitai.daemon.target.Layout;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LibraryMatchTest {
    private static final Path DIR = Path.of("/data/ComfyUI");
    private static final String SHA =
            "6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa";

    private static LibraryFile file(String path, String sha256) {
        return new LibraryFile(1, path, DIR.toString(), 10, 0, null, sha256, null, null, null, null,
                null, null, LibraryFile.PRESENT, null, null, null, null);
    }

    private static Reference ref(String name, String folder, String url, String hash) {
        return new Reference("1", "X", name, Optional.ofNullable(folder), Optional.ofNullable(url),
                Optional.ofNullable(hash));
    }

    private static String decide(List<LibraryFile> library, Reference r) {
        var row = new LibraryMatch(library, Layout.COMFYUI, DIR).row(r);
        return row.decision() + " " + row.target().map(Path::toString).orElse("-");
    }

    @Test
    void eachStepDecidesInOrderAndTargetsFollowTheLayout() {
        var lib = List.of(file("/data/ComfyUI/models/checkpoints/sd15/a.safetensors", SHA),
                file("/other/b.safetensors", "ff" + SHA.substring(2)),
                file("/x/dup.safetensors", null), file("/y/dup.safetensors", null));
        assertEquals("PRESENT /data/ComfyUI/models/checkpoints/sd15/a.safetensors",
                decide(lib, ref("sd15/a.safetensors", "checkpoints", null, "6CE0161689")));
        assertEquals("CONFLICT /data/ComfyUI/models/checkpoints/sd15/a.safetensors",
                decide(lib, ref("sd15/a.safetensors", "checkpoints", null, "ff00000000")));
        assertEquals("PRESENT_ELSEWHERE /data/ComfyUI/models/loras/c.safetensors",
                decide(lib, ref("c.safetensors", "loras", "https://example.org/c",
                        "ff" + SHA.substring(2, 10))));
        assertEquals("DOWNLOAD /data/ComfyUI/models/diffusion_models/d.safetensors",
                decide(lib, ref("d.safetensors", "unet", "https://example.org/d", null)));
        assertEquals("LOOKUP_HASH /data/ComfyUI/models/vae/e.safetensors",
                decide(lib, ref("e.safetensors", "vae", null, "0123456789")));
        assertEquals("PRESENT_ELSEWHERE /data/ComfyUI/models/loras/b.safetensors",
                decide(lib, ref("b.safetensors", "loras", null, null)));
        assertEquals("AMBIGUOUS /data/ComfyUI/models/loras/dup.safetensors",
                decide(lib, ref("dup.safetensors", "loras", null, null)));
        assertEquals("NOT_FOUND /data/ComfyUI/models/ipadapter/f.safetensors",
                decide(lib, ref("f.safetensors", "ipadapter", null, null)));
        assertEquals("UNKNOWN_FOLDER -", decide(lib, ref("g.gguf", null, null, null)));
        assertEquals("REFUSED -", decide(lib, ref("../g.safetensors", "loras", null, null)));
    }

    @Test
    void anA1111NameWithoutExtension_takesItsCopysExtension_andIsPresentOnceLinkedThere() {
        var copy = file("/other/realisticVision.safetensors", SHA);
        assertEquals("PRESENT_ELSEWHERE"
                + " /data/ComfyUI/models/checkpoints/realisticVisionV51.safetensors",
                decide(List.of(copy), ref("realisticVisionV51", "checkpoints", null,
                        "6ce0161689")));
        var linked = file("/data/ComfyUI/models/checkpoints/realisticVisionV51.safetensors", SHA);
        assertEquals("PRESENT /data/ComfyUI/models/checkpoints/realisticVisionV51.safetensors",
                decide(List.of(copy, linked), ref("realisticVisionV51", "checkpoints", null,
                        "6ce0161689")));
    }

    @Test
    void theSameReferenceLandsInEachLayoutsFolder() {
        var r = ref("sd15/a.safetensors", "checkpoints", "https://example.org/a", null);
        assertEquals(Path.of("/d/models/Stable-diffusion/sd15/a.safetensors"),
                new LibraryMatch(List.of(), Layout.A1111, Path.of("/d")).row(r).target()
                        .orElseThrow());
        assertEquals(Path.of("/d/checkpoint/sd15/a.safetensors"),
                new LibraryMatch(List.of(), Layout.FLAT, Path.of("/d")).row(r).target()
                        .orElseThrow());
    }
}
