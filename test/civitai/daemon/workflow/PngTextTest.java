package civitai.daemon.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PngTextTest {
    private static final String PARAMS =
            "a cat <lora:neko:1>\nSteps: 20, Sampler: Euler, Model hash: 6ce0161689, Model: any";

    private static List<String> names(List<Reference> refs) {
        return refs.stream().map(Reference::name).toList();
    }

    @Test
    void comfyPngPrefersTheUiWorkflowOverThePrompt() throws Exception {
        String ui = Files.readString(Path.of("test/resources/workflows/ipadapter_advanced.json"));
        String api = Files.readString(Path.of(
                "test/resources/workflows/default_graph_sdxl1_0.json"));
        byte[] png = new PngWriter().text("prompt", api).text("workflow", ui).bytes();
        assertEquals(3, WorkflowReader.read(png).size());
        byte[] promptOnly = new PngWriter().ztext("prompt", api).bytes();
        assertEquals(2, WorkflowReader.read(promptOnly).size());
    }

    @Test
    void a1111ParametersInEveryTextChunkKind() throws Exception {
        for (byte[] png : List.of(new PngWriter().text("parameters", PARAMS).bytes(),
                new PngWriter().itext("parameters", "猫 " + PARAMS, false).bytes(),
                new PngWriter().itext("parameters", "猫 " + PARAMS, true).bytes())) {
            assertEquals(List.of("any", "neko"), names(WorkflowReader.read(png)));
        }
    }

    @Test
    void aPngWithoutWorkflowOrTruncatedIsRefused() {
        byte[] plain = new PngWriter().text("Software", "GIMP").bytes();
        var e = assertThrows(NotAWorkflow.class, () -> WorkflowReader.read(plain));
        assertTrue(e.getMessage().startsWith(NotAWorkflow.WHAT));
        byte[] full = new PngWriter().text("parameters", PARAMS).bytes();
        byte[] cut = Arrays.copyOf(full, 50);
        var t = assertThrows(NotAWorkflow.class, () -> WorkflowReader.read(cut));
        assertTrue(t.getMessage().contains("truncated"), t.getMessage());
    }
}
