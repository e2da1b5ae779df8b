package civitai.daemon.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.target.Layout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanJsonTest {
    @Test
    void theRealTemplateBecomesOneDownloadRowWithItsTarget() throws Exception {
        var refs = WorkflowReader.read(Files.readAllBytes(Path.of(
                "test/resources/workflows/default.json")));
        var json = PlanJson.of(new LibraryMatch(List.of(), Layout.COMFYUI, Path.of("/c"))
                .plan(refs));
        var row = json.get("models").asArray().get(0).asObject();
        assertEquals("download", row.getString("decision", ""));
        assertEquals("checkpoints", row.getString("folder", ""));
        assertEquals("/c/models/checkpoints/v1-5-pruned-emaonly-fp16.safetensors",
                row.getString("target", ""));
        assertEquals(true, row.get("hash").isNull());
        assertEquals("CheckpointLoaderSimple", row.getString("node_class", ""));
    }
}
