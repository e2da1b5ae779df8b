package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** GET/PUT /api/updates/policies: each manifest model's auto / notify / pin. */
class PolicyTest extends DaemonTest {
    private JsonArray onDisk() throws IOException {
        return Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
    }

    private JsonObject entry(long modelId, String filename, String update) {
        JsonObject e = new JsonObject().add("modelId", modelId).add("versionId", modelId * 10)
                .add("model_type", "lora").add("filename", filename)
                .add("url", storage.put(filename, new byte[] {1}).toString()).add("note", "mine");
        return update == null ? e : e.add("update", update);
    }

    @Test
    void listsEachManifestModelOnce_withItsPolicy() {
        start(config("workers", 1), manifest(entry(11, "a.safetensors", null),
                entry(11, "a2.safetensors", null),
                entry(22, "b.safetensors", "pin"),
                new JsonObject().add("model_type", "vae").add("url", "http://127.0.0.1:9/x")));
        JsonArray models = daemon.getJson("/api/updates/policies").get("models").asArray();
        assertEquals(2, models.size(), models.toString());
        assertEquals("auto", models.get(0).asObject().getString("update", null));
        assertEquals("a.safetensors", models.get(0).asObject().getString("filename", null));
        assertEquals(22, models.get(1).asObject().getLong("model_id", 0));
        assertEquals("pin", models.get(1).asObject().getString("update", null));
    }

    @Test
    void put_setsThePolicyOnEveryEntryOfTheModel_keepingTheRest() throws IOException {
        start(manifest(entry(11, "a.safetensors", null), entry(11, "a2.safetensors", "auto"),
                entry(22, "b.safetensors", null)));
        var r = daemon.send("PUT", "/api/updates/policies/11", "{\"update\": \"notify\"}", null);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("notify", json(r).getString("update", null));
        JsonArray m = onDisk();
        assertEquals("notify", m.get(0).asObject().getString("update", null));
        assertEquals("notify", m.get(1).asObject().getString("update", null));
        assertEquals("mine", m.get(0).asObject().getString("note", null));
        assertTrue(m.get(2).asObject().get("update") == null, "another model is untouched");
        assertTrue(Files.exists(dir.resolve("manifest.json.bak")));
        assertEquals("notify", daemon.getJson("/api/updates/policies").get("models").asArray()
                .get(0).asObject().getString("update", null));
    }

    @Test
    void badPolicies_unknownModels_andABrokenManifest_areClear4xx() throws IOException {
        start(manifest(entry(11, "a.safetensors", null)));
        for (String body : new String[] {"{\"update\": \"sometimes\"}", "{}", "[]",
                "{\"update\": 1}", "{\"update\": \"pin\", \"x\": 1}"}) {
            var r = daemon.send("PUT", "/api/updates/policies/11", body, null);
            assertEquals(400, r.statusCode(), body);
            assertTrue(json(r).get("error").asObject().getString("message", "").contains("auto"),
                    r.body());
        }
        assertEquals(404, daemon.send("PUT", "/api/updates/policies/99", "{\"update\": \"pin\"}",
                null).statusCode());
        assertEquals(404, daemon.send("PUT", "/api/updates/policies/abc", "{\"update\": \"pin\"}",
                null).statusCode());
        String before = Files.readString(dir.resolve("manifest.json"));
        Files.writeString(dir.resolve("manifest.json"), "[{broken");
        var r = daemon.send("PUT", "/api/updates/policies/11", "{\"update\": \"pin\"}", null);
        assertEquals(409, r.statusCode(), r.body());
        assertEquals("[{broken", Files.readString(dir.resolve("manifest.json")),
                "never overwritten");
        assertTrue(before.contains("a.safetensors"));
    }

    @Test
    void aPinnedModel_isSkippedByTheNextCheck() throws Exception {
        start(config("workers", 1), manifest(entry(1231067, "pp.safetensors", null)));
        daemon.send("PUT", "/api/updates/policies/1231067", "{\"update\": \"pin\"}", null);
        assertEquals(202, daemon.post("/api/updates/check", null).statusCode());
        Poll.until(() -> !daemon.getJson("/api/updates").get("last_run").isNull(),
                () -> "the check to finish");
        assertEquals(0, daemon.getJson("/api/updates").get("last_run").asObject()
                .getInt("models_checked", -1));
    }
}
