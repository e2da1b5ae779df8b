package civitai.daemon.civitai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.config.FilePreferences;
import civitai.daemon.testing.Fixtures;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which file of a version is taken, and which version of a model is the newest. */
class FileChoiceTest {
    /**
     * The fixture version with three files: primary SafeTensor fp16 full, PickleTensor fp32 pruned,
     * a VAE.
     */
    private static JsonObject version() {
        JsonObject v = Json.parse(Fixtures.read("model_version_1387174_lora_flux_2025.json"))
                .asObject();
        JsonObject primary = v.get("files").asArray().get(0).asObject();
        primary.set("id", 1).set("primary", true)
                .set("metadata", meta("SafeTensor", "fp16", "full"));
        JsonObject pickle = Json.parse(primary.toString()).asObject().set("id", 2)
                .set("primary", false).set("metadata", meta("PickleTensor", "fp32", "pruned"));
        JsonObject vae = Json.parse(primary.toString()).asObject().set("id", 3)
                .set("primary", false).set("type", "VAE")
                .set("metadata", meta("SafeTensor", "fp32", "pruned"));
        return v.set("files", new JsonArray().add(primary).add(pickle).add(vae));
    }

    private static JsonObject meta(String format, String fp, String size) {
        return new JsonObject().add("format", format).add("fp", fp).add("size", size);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "NONE         | NONE | NONE   | NONE | 1",
        "PickleTensor | NONE | NONE   | NONE | 2",
        "NONE         | fp32 | NONE   | NONE | 2",
        "NONE         | NONE | pruned | NONE | 2",
        "SafeTensor   | fp32 | pruned | NONE | 1",
        "NONE         | NONE | NONE   | 3    | 3",
        "PickleTensor | NONE | NONE   | 1    | 1",
    })
    void fileChoice(String format, String fp, String size, Long fileId, long expected)
    throws Exception {
        var chosen = Resolver.chooseFile(version(), fileId, new FilePreferences(format, fp, size));
        assertEquals(expected, chosen.getLong("id", 0));
    }

    @Test
    void newestVersion_isByPublishedAt_notByPosition() throws Exception {
        JsonObject model = Json.parse(Fixtures.read("model_lora_11821_two_versions_2025.json"))
                .asObject();
        assertEquals(127062, Versions.newest(model));
        JsonArray versions = model.get("modelVersions").asArray();
        model.set("modelVersions", new JsonArray().add(versions.get(1)).add(versions.get(0)));
        assertEquals(127062, Versions.newest(model), "v2.0 is newest wherever it is listed");
    }

    @Test
    void newestVersion_skipsWhatIsNotPublished_andFallsBackToCreatedAtThenId() throws Exception {
        JsonObject model = Json.parse(Fixtures.read(
                "wiki2023_models_list_textualinversion_limit3.json"))
                // 2023: no publishedAt, no status
                .asObject().get("items").asArray().get(0).asObject();
        assertEquals(9857, Versions.newest(model), "by createdAt");
        JsonObject newest = model.get("modelVersions").asArray().get(0).asObject();
        newest.set("status", "Draft");
        assertEquals(8387, Versions.newest(model), "a draft is not published");
        newest.set("status", "Published");
        for (JsonValue v : model.get("modelVersions").asArray()) {
            v.asObject().remove("createdAt");
        }
        assertEquals(9857, Versions.newest(model), "undated: the higher id");
    }
}
