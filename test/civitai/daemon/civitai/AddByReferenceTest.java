package civitai.daemon.civitai;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** POST /api/download with a Civitai link, AIR or id, resolved against the fixture-built fake. */
class AddByReferenceTest extends DaemonTest {
    static final long FLUX_MODEL = 1231067;
    static final long FLUX_VERSION = 1387174;

    private JsonObject add(String body) {
        var r = daemon.post("/api/download", body);
        assertEquals(202, r.statusCode(), r.body());
        return json(r).get("job").asObject();
    }

    private JsonObject recorded() throws IOException {
        JsonArray m = Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
        return m.get(m.size() - 1).asObject();
    }

    @Test
    void aModelPageLink_isResolved_recorded_andDownloadedWithItsHash() throws IOException {
        start(manifest());
        String link = civitai.base() + "/models/" + FLUX_MODEL
                + "/vivid-impressions?modelVersionId=" + FLUX_VERSION;
        JsonObject job = add(new JsonObject().add("civitai", link).add("priority", 3).toString());

        assertEquals("lora", job.getString("model_type", null));
        assertEquals("pp-storybook_rank2_bf16.safetensors", job.getString("filename", null));
        assertEquals(civitai.sha256(FLUX_VERSION), job.getString("expected_sha256", null));
        assertEquals(3, job.getInt("priority", 0));
        JsonObject entry = recorded();
        assertEquals(FLUX_MODEL, entry.getLong("modelId", 0));
        assertEquals(FLUX_VERSION, entry.getLong("versionId", 0));
        assertEquals("2025-02-08T11:29:04.526Z", entry.getString("updatedAt", null),
                "from /model-versions");
        assertTrue(entry.getString("url", "")
                .endsWith("/api/download/models/1387174?fileId=1289799"));

        daemon.await(job.getLong("id", 0), "completed");
        assertArrayEquals(civitai.content(FLUX_VERSION),
                Files.readAllBytes(daemon.models()
                        .resolve("lora/pp-storybook_rank2_bf16.safetensors")));
    }

    @Test
    void aModelId_takesTheNewestPublishedVersion_notTheFirstListed() throws IOException {
        JsonObject model = Json.parse(civitai.body("/api/v1/models/11821")).asObject();
        JsonArray reversed = new JsonArray();
        var versions = model.get("modelVersions").asArray().values();
        for (int i = versions.size() - 1; i >= 0; i--) {
            reversed.add(versions.get(i));
        }
        model.set("modelVersions", reversed);  // the older v1.0 now comes first
        civitai.body("/api/v1/models/11821", model.toString());
        civitai.body("/api/v1/model-versions/127062", versionOf(model, 127062, 11821).toString());
        start(config("workers", 1), manifest());

        JsonObject job = add("{\"modelId\": 11821}");
        daemon.post("/api/jobs/" + job.getLong("id", 0) + "/cancel", null);

        assertEquals(127062, recorded().getLong("versionId", 0));
        assertEquals("VSK.safetensors", job.getString("filename", null));
    }

    /**
     * Civitai omits null fields; older answers and its own API docs have no publishedAt or status.
     */
    @Test
    void versionsWithoutPublishedAtOrStatus_countAsPublished_newestByCreatedAt()
            throws IOException {
        JsonObject model = Json.parse(civitai.body("/api/v1/models/11821")).asObject();
        JsonArray reversed = new JsonArray();
        var versions = model.get("modelVersions").asArray().values();
        for (int i = versions.size() - 1; i >= 0; i--) {
            JsonObject v = versions.get(i).asObject();
            v.remove("publishedAt");
            v.remove("status");
            reversed.add(v);
        }
        model.set("modelVersions", reversed);
        civitai.body("/api/v1/models/11821", model.toString());
        civitai.body("/api/v1/model-versions/127062", versionOf(model, 127062, 11821).toString());
        start(config("workers", 1), manifest());

        JsonObject job = add("{\"modelId\": 11821}");
        daemon.post("/api/jobs/" + job.getLong("id", 0) + "/cancel", null);

        assertEquals(127062, recorded().getLong("versionId", 0), "the newer createdAt wins");
    }

    @Test
    void anAirAndADownloadUrlWithoutAType_resolveToo() {
        start(manifest());
        JsonObject byAir = add("{\"civitai\": \"urn:air:flux1:lora:civitai:1231067@1387174\"}");
        assertEquals("lora", byAir.getString("model_type", null));
        daemon.post("/api/jobs/" + byAir.getLong("id", 0) + "/cancel", null);

        var again = daemon.post("/api/download",
                "{\"url\": \"" + civitai.base() + "/api/download/models/1387174\"}");
        assertEquals(202, again.statusCode(), again.body());
        assertEquals("already_known", json(again).getString("result", null),
                "the same file is one job");
    }

    @Test
    void aHashAlone_findsTheCivitaiFileItBelongsTo() {
        start(manifest());
        JsonObject job = add("{\"sha256\": \"" + civitai.sha256(FLUX_VERSION) + "\"}");
        assertEquals("pp-storybook_rank2_bf16.safetensors", job.getString("filename", null));
        assertEquals("lora", job.getString("model_type", null));
        assertEquals(FLUX_MODEL, job.getLong("model_id", 0));
        var unknown = daemon.post("/api/download", "{\"sha256\": \"" + "ab".repeat(32) + "\"}");
        assertEquals(400, unknown.statusCode());
    }

    @Test
    void aShortHash_findsTheCivitaiFile_andTheJobExpectsItsFullSha256() {
        start(manifest());
        String sha256 = civitai.sha256(FLUX_VERSION);
        // AutoV2
        JsonObject job = add("{\"hash\": \"" + sha256.substring(0, 10).toUpperCase() + "\"}");
        assertEquals("pp-storybook_rank2_bf16.safetensors", job.getString("filename", null));
        assertEquals(sha256, job.getString("expected_sha256", null));
        var bad = daemon.post("/api/download", "{\"hash\": \"not-hex\"}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("8 to 64 hex digits"), bad.body());
        var unknown = daemon.post("/api/download", "{\"hash\": \"0123456789\"}");
        assertEquals(400, unknown.statusCode(), unknown.body());
    }

    @Test
    void unknownModelsAndFiles_are400WithTheReason() {
        start(manifest());
        var missing = daemon.post("/api/download", "{\"modelId\": 999999}");
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("not found on Civitai"), missing.body());

        var noFile = daemon.post("/api/download", "{\"versionId\": 1387174, \"fileId\": 5}");
        assertEquals(400, noFile.statusCode());
        assertTrue(noFile.body().contains("has no file 5"), noFile.body());

        var notCivitai = daemon.post("/api/download",
                "{\"civitai\": \"https://example.com/models/1\"}");
        assertEquals(400, notCivitai.statusCode());
        assertTrue(notCivitai.body().contains("is not a Civitai model link"), notCivitai.body());
    }

    @Test
    void filesThatFailedCivitaisScans_areRefused() {
        String body = civitai.body("/api/v1/model-versions/1387174")
                .replace("\"pickleScanResult\": \"Success\"", "\"pickleScanResult\": \"Danger\"");
        civitai.body("/api/v1/model-versions/1387174", body);
        start(manifest());
        var r = daemon.post("/api/download", "{\"versionId\": 1387174}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("pickle scan") && r.body().contains("allow_unscanned"),
                r.body());
    }

    @Test
    void a429FromCivitai_failsAPersonsRequestAtOnce_with503AndWhenToAskAgain() {
        civitai.failApi("/api/v1/model-versions/1387174", new Fault.Status(429, "application/json",
                "{\"error\":\"Too many requests\"}", Map.of("Retry-After", "900")));
        start(manifest());
        var r = daemon.post("/api/download", "{\"versionId\": 1387174}");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("900", r.headers().firstValue("Retry-After").orElse(""));
        assertTrue(r.body().contains("rate limiting") && r.body().contains("900 s"), r.body());

        long hits = civitai.requests().size();
        var again = daemon.post("/api/batch", "[{\"versionId\": 1387174}]");
        assertEquals(503, again.statusCode(), again.body());
        long retryAfter = Long.parseLong(again.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter > 800 && retryAfter <= 900,
                "the time the gate reopens: " + retryAfter);
        assertEquals(hits, civitai.requests().size(), "a closed gate asks Civitai nothing");
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    @Test
    void afterTheRetryAfterHasPassed_theSameRequestIsResolved() {
        civitai.failApi("/api/v1/model-versions/1387174", new Fault.Status(429, "application/json",
                "{\"error\":\"Too many requests\"}", Map.of("Retry-After", "1")));
        start(manifest());
        assertEquals(503, daemon.post("/api/download", "{\"versionId\": 1387174}").statusCode());
        Poll.until(() -> daemon.post("/api/download", "{\"versionId\": 1387174}")
                .statusCode() == 202, () -> "the add to succeed once the gate reopened");
        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    @Test
    void aBatchWithAnUnresolvableReference_queuesNothing() {
        start(manifest());
        var r = daemon.post("/api/batch", "[{\"versionId\": 1387174}, {\"modelId\": 999999}]");
        assertEquals(400, r.statusCode(), r.body());
        var details = json(r).get("error").asObject().get("details").asArray();
        assertEquals(1, details.get(0).asObject().getInt("index", -1));
        assertTrue(details.get(0).asObject().getString("reason", "")
                .contains("not found on Civitai"));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    /** A /model-versions body for one version of a /models body, as Civitai shapes it. */
    private static JsonObject versionOf(JsonObject model, long versionId, long modelId) {
        for (var v : model.get("modelVersions").asArray()) {
            if (v.asObject().getLong("id", 0) == versionId) {
                JsonObject version = Json.parse(v.toString()).asObject();
                version.add("modelId", modelId)
                        .add("model", new JsonObject().add("name", model.getString("name", ""))
                        .add("type", model.getString("type", "")));
                return version;
            }
        }
        throw new AssertionError("no version " + versionId);
    }
}
