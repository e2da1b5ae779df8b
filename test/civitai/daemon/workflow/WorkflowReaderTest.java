package civitai.daemon.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkflowReaderTest {
    private static final Path DIR = Path.of("test/resources/workflows");

    private static List<Reference> fixture(String name) throws Exception {
        return WorkflowReader.read(Files.readAllBytes(DIR.resolve(name)));
    }

    private static List<Reference> text(String s) throws NotAWorkflow {
        return WorkflowReader.read(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void uiWorkflowWithPropertiesModelsGivesItsUrlOnce() throws Exception {
        var refs = fixture("default.json");
        assertEquals(1, refs.size(), refs.toString());
        var r = refs.get(0);
        assertEquals("v1-5-pruned-emaonly-fp16.safetensors", r.name());
        assertEquals(Optional.of("checkpoints"), r.folder());
        assertTrue(r.url().orElseThrow().startsWith("https://huggingface.co/Comfy-Org/"));
    }

    @Test
    void namesOnlyKeepSubFoldersAndExtensionFolders() throws Exception {
        var refs = fixture("ipadapter_advanced.json");
        assertEquals(List.of("sd15/realisticVisionV51_v51VAE.safetensors|checkpoints",
                "ip-adapter-plus_sd15.safetensors|ipadapter",
                "CLIP-ViT-H-14-laion2B-s32B-b79K.safetensors|clip_vision"),
                refs.stream().map(r -> r.name() + "|" + r.folder().orElse("?")).toList());
    }

    @Test
    void apiPromptFormatReadsInputs() throws Exception {
        var refs = fixture("default_graph_sdxl1_0.json");
        assertEquals(2, refs.size(), refs.toString());
        assertTrue(refs.stream().allMatch(r -> r.folder().equals(Optional.of("checkpoints"))));
    }

    @Test
    void mutedBypassedSkippedSubgraphsReadNanAccepted() throws Exception {
        var refs = text("""
                {"nodes": [
                  {"id": 1, "type": "VAELoader", "mode": 2, "widgets_values": ["muted.safetensors"]},
                  {"id": 2, "type": "VAELoader", "mode": 4, "widgets_values": ["bypassed.safetensors"]},
                  {"id": 3, "type": "MyCustomThing", "mode": 0, "widgets_values": [NaN, "odd.gguf"]},
                  {"id": 4, "type": "CLIPTextEncode", "widgets_values": ["a cat, embedding:easyneg <lora:detail:0.5>"]}],
                 "definitions": {"subgraphs": [{"nodes": [
                  {"id": "9", "type": "UNETLoader", "widgets_values": ["flux/dev.safetensors", "NaN"]}]}]},
                 "models": [{"name": "t5.safetensors", "url": "https://example.org/t5", "directory": "clip"}]}
                """);
        assertEquals(List.of("3", "4", "4", "9", "workflow"),
                refs.stream().map(Reference::node).toList());
        assertEquals(List.of("odd.gguf|?", "easyneg|embeddings", "detail|loras",
                "flux/dev.safetensors|diffusion_models", "t5.safetensors|text_encoders"),
                refs.stream().map(r -> r.name() + "|" + r.folder().orElse("?")).toList());
    }

    @Test
    void a1111ParametersGiveHashes() throws Exception {
        var refs = text("""
                a girl <lora:add_detail:0.6> <lora:other:1>
                Negative prompt: bad
                Steps: 20, Sampler: DPM++ 2M, CFG scale: 7, Seed: 1, Model hash: 6ce0161689, Model: anything-v5, \
                Lora hashes: "add_detail: 7c6bad76eb54", TI hashes: "easyneg: abcdef123456", Version: v1.6.0
                """);
        assertEquals(List.of("anything-v5|checkpoints|6ce0161689", "add_detail|loras|7c6bad76eb54",
                "easyneg|embeddings|abcdef123456", "other|loras|"),
                refs.stream().map(r -> r.name() + "|" + r.folder().orElse("?") + "|"
                        + r.hash().orElse("")).toList());
    }

    @Test
    void a1111VaeHashAndCivitaiResourcesByVersionIdOrAir() throws Exception {
        var refs = text("""
                a dog
                Steps: 30, Sampler: Euler a, VAE hash: 235745af8d, VAE: sdxl_vae.safetensors, Civitai resources: \
                [{"type":"checkpoint","modelVersionId":128078,"modelName":"SDXL"},\
                {"type":"lora","weight":0.8,"air":"urn:air:sdxl:lora:civitai:1@135867","modelName":"Detail [x]"}], \
                Civitai metadata: {}
                """);
        assertEquals(List.of("sdxl_vae.safetensors|vae|235745af8d|",
                "SDXL|checkpoints||https://civitai.com/api/download/models/128078",
                "Detail [x]|loras||https://civitai.com/api/download/models/135867"),
                refs.stream().map(r -> r.name() + "|" + r.folder().orElse("?") + "|"
                        + r.hash().orElse("") + "|" + r.url().orElse("")).toList());
    }

    @Test
    void anythingElseIsRefusedWithOneMessage() {
        for (String s : List.of("hello", "{\"a\": 1}", "[1]", "{\"nodes\": ")) {
            var e = assertThrows(NotAWorkflow.class, () -> text(s));
            assertTrue(e.getMessage().startsWith(NotAWorkflow.WHAT), e.getMessage());
        }
        var deep = "{\"nodes\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThrows(NotAWorkflow.class, () -> text(deep));
    }
}
