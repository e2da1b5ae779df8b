package civitai.daemon.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReferenceTest {
    private static Optional<String> problem(String name) {
        return Reference.named("1", "LoraLoader", name, Optional.of("loras")).problem();
    }

    @Test
    void subFoldersAreKeptAndEachSegmentChecked() {
        assertEquals(Optional.empty(), problem("Illustrious/anime/x.safetensors"));
        assertTrue(problem("../x.safetensors").orElseThrow().contains("relative"));
        assertTrue(problem("a/../../x.safetensors").isPresent());
        assertTrue(problem("/etc/x.safetensors").orElseThrow().contains("absolute"));
        assertTrue(problem("C:\\\\x.safetensors").isPresent());
        assertTrue(problem("sd15\\\\..\\\\x.safetensors").isPresent());
        assertTrue(problem("a//x.safetensors").orElseThrow().contains("empty"));
        assertTrue(problem("CON/x.safetensors").isPresent());
    }
}
