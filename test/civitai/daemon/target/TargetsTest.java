package civitai.daemon.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
    @TempDir Path dir;

    @Test
    void typesALayoutPutsInOneFolder_shareTheirTarget() {
        Targets a1111 = new Targets(dir, Layout.A1111, false);
        assertEquals(a1111.in("checkpoint", "m.safetensors"), a1111.in("unet", "m.safetensors"));
        assertEquals(dir.resolve("models/Stable-diffusion/m.safetensors"),
                a1111.in("unet", "m.safetensors").path());
        Targets flat = new Targets(dir, Layout.FLAT, false);
        assertNotEquals(flat.in("checkpoint", "m.safetensors"), flat.in("unet", "m.safetensors"));
    }

    @Test
    void aRecordedPath_andTheTypeAndName_giveOneKey() {
        Targets comfy = new Targets(dir.resolve("x/.."), Layout.COMFYUI, false);
        String byName = comfy.key("lora", "m.safetensors", null);
        assertEquals(byName, comfy.key("lora", null,
                dir.resolve("models/loras/./m.safetensors").toString()));
        assertEquals(byName, comfy.at(dir.resolve("models/loras/m.safetensors")).key());
        assertNull(comfy.key("lora", null, null), "no key while the server has not named the file");
    }

    @Test
    void whereTheFileSystemFoldsCase_namesDifferingInCaseAreOneTarget() {
        Targets folding = new Targets(dir, Layout.FLAT, true);
        assertEquals(folding.in("lora", "Model.safetensors").key(),
                folding.in("lora", "model.safetensors").key());
        assertEquals(dir.resolve("lora/Model.safetensors"),
                folding.in("lora", "Model.safetensors").path(),
                "the path keeps its case; only the key is folded");
        Targets exact = new Targets(dir, Layout.FLAT, false);
        assertNotEquals(exact.in("lora", "Model.safetensors").key(),
                exact.in("lora", "model.safetensors").key());
    }

    @Test
    void theCaseProbe_answersForTheFolder_andLeavesNothingBehind() throws IOException {
        Path lower = Files.createFile(dir.resolve("probe-check"));
        boolean folds = Files.exists(dir.resolve("PROBE-CHECK"));
        Files.delete(lower);

        assertEquals(folds, Targets.foldsCase(dir));
        assertEquals(folds, Targets.foldsCase(dir.resolve("not/yet/made")),
                "asked of the nearest folder there is");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void thePart_isBesideTheFile() {
        Target t = new Targets(dir, Layout.FLAT, false).in("vae", "v.pt");
        assertEquals(dir.resolve("vae/v.pt.part"), t.part());
    }
}
