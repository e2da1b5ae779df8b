package civitai.daemon.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An entry naming a Hub file, and the job entry it becomes once the Hub has answered. */
class HfEntriesTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String SHA = "a".repeat(64);
    private static final HfReference REF = new HfReference("org/m", "main", "vae/ae.safetensors");
    private static final HubAnswer.Resolved HUB = new HubAnswer.Resolved(COMMIT, SHA, null, 42,
            URI.create("https://huggingface.co/org/m/resolve/" + COMMIT + "/vae/ae.safetensors"));

    private static JsonObject json(String s) {
        return Json.parse(s).asObject();
    }

    @Test
    void aLinkOrAFieldNamesTheFileAndNeedsAModelType() throws Exception {
        assertEquals(Optional.of(REF), HfEntries.find(json(
                "{\"url\":\"https://huggingface.co/org/m/blob/main/vae/ae.safetensors\","
                + "\"model_type\":\"vae\"}"), ""));
        assertEquals(Optional.of(REF), HfEntries.find(json(
                "{\"huggingface\":\"org/m/vae/ae.safetensors\",\"model_type\":\"vae\"}"), ""));
        var e = assertThrows(HfEntries.Invalid.class, () -> HfEntries.find(json(
                "{\"huggingface\":\"org/m/vae/ae.safetensors\"}"), ""));
        assertTrue(e.getMessage().contains("model_type"), e.getMessage());
        assertThrows(HfEntries.Invalid.class,
                () -> HfEntries.find(json("{\"huggingface\":\"org\",\"model_type\":\"vae\"}"), ""));
        assertEquals(Optional.empty(),
                HfEntries.find(json("{\"url\":\"https://example.com/a.bin\"}"), ""));
    }

    @Test
    void theResolvedEntryIsPinnedAndRecordsWhereItCameFrom() throws Exception {
        JsonObject e = HfEntries.resolved(json(
                "{\"huggingface\":\"org/m/vae/ae.safetensors\",\"model_type\":\"vae\","
                + "\"priority\":3}"), REF, HUB);
        assertEquals(HUB.pinned().toString(), e.getString("url", null));
        assertEquals("huggingface", e.getString("source", null));
        assertEquals("org/m", e.getString("repo", null));
        assertEquals("vae/ae.safetensors", e.getString("path", null));
        assertEquals("main", e.getString("revision", null));
        assertEquals(COMMIT, e.getString("commit", null));
        assertEquals(SHA, e.getString("sha256", null));
        assertEquals(42, e.getLong("size", 0));
        assertEquals("ae.safetensors", e.getString("filename", null));
        assertEquals(3, e.getInt("priority", 0));
        assertNull(e.get("huggingface"));
    }

    @Test
    void aGivenSha256ThatIsNotTheHubsIsRefusedNamingBoth() {
        var e = assertThrows(HfEntries.Invalid.class, () -> HfEntries.resolved(json(
                "{\"huggingface\":\"org/m/vae/ae.safetensors\",\"model_type\":\"vae\",\"sha256\":\""
                + "b".repeat(64)
                        + "\"}"), REF, HUB));
        assertTrue(e.getMessage().contains("b".repeat(64)) && e.getMessage().contains(SHA),
                e.getMessage());
    }
}
