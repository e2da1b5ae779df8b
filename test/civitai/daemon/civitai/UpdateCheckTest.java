package civitai.daemon.civitai;

import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Fixtures;
import civitai.daemon.testing.HookReceiver;
import civitai.daemon.testing.Poll;
import civitai.daemon.testing.SseClient;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The update flow end to end: Civitai (the fake, answering in the fixtures' shapes) publishes a
 * new version or re-uploads a file; a check rewrites manifest.json, downloads and verifies the new
 * file, and a webhook receiver hears of it.
 */
class UpdateCheckTest extends DaemonTest {
    static final long MODEL = 777;
    static final long OLD = 7001;
    static final long NEW = 7002;
    byte[] oldBytes = Bytes.random(120_000, 7001);
    byte[] newBytes = Bytes.random(130_000, 7002);
    final HookReceiver receiver = HookReceiver.start();

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /** A version in the shape of model_version_1387174_lora_flux_2025.json, with our file. */
    private JsonObject version(long id, String name, byte[] content, String publishedAt,
            String sha256) {
        civitai.addVersion(id, name, content);
        JsonObject v = Json.parse(Fixtures.read("model_version_1387174_lora_flux_2025.json"))
                .asObject();
        v.set("id", id).set("modelId", MODEL).set("name", "v" + id).set("publishedAt", publishedAt)
                .set("updatedAt", publishedAt)
                .set("downloadUrl", civitai.base() + "/api/download/models/" + id);
        JsonObject file = v.get("files").asArray().get(0).asObject();
        file.set("id", id * 10).set("name", name).set("sizeKB", content.length / 1024.0)
                .set("downloadUrl", civitai.base() + "/api/download/models/" + id);
        file.get("hashes").asObject().set("SHA256", sha256.toUpperCase());
        return v;
    }

    /**
     * Publishes the model with these versions (in this order) in the shape of the /models fixture.
     */
    private void publish(JsonObject... versions) {
        JsonObject model = Json.parse(Fixtures.read("model_lora_1231067_flux_2025.json"))
                .asObject();
        model.set("id", MODEL).set("name", "Test Style");
        JsonArray list = new JsonArray();
        for (JsonObject v : versions) {
            list.add(v);
            civitai.body("/api/v1/model-versions/" + v.getLong("id", 0), v.toString());
        }
        model.set("modelVersions", list);
        civitai.body("/api/v1/models/" + MODEL, model.toString());
    }

    private JsonObject oldVersion() {
        return version(OLD, "style.safetensors", oldBytes, "2025-01-01T00:00:00.000Z",
                Bytes.sha256(oldBytes));
    }

    private JsonObject newVersion() {
        return version(NEW, "style.safetensors", newBytes, "2025-06-01T00:00:00.000Z",
                Bytes.sha256(newBytes));
    }

    private JsonObject oldEntry(String update) {
        return new JsonObject().add("modelId", MODEL).add("versionId", OLD)
                .add("model_type", "lora").add("filename", "style.safetensors")
                .add("url", civitai.base() + "/api/download/models/" + OLD + "?fileId=" + OLD * 10)
                .add("sha256", Bytes.sha256(oldBytes)).add("priority", 5).add("note", "mine")
                .add("update", update);
    }

    /**
     * Starts with the old version in place, then publishes the new one (listed second, not first).
     */
    private void startWithOldThenPublish(String mode, JsonObject... entries) {
        publish(oldVersion());
        start(config("manifest_mode", mode, "webhook_url", receiver.url(), "webhook_retry_delay",
                0.05), manifest(entries));
        daemon.await(entries.length, "completed");
        daemon.checkUpdates();
        assertTrue(models().values().stream()
                .anyMatch(m -> m.asObject().getLong("model_id", 0) == MODEL
                        && m.asObject().getString("status", "").equals("current")),
                "nothing new yet: " + models());
        publish(oldVersion(), newVersion());
    }

    private JsonArray models() {
        return daemon.getJson("/api/updates").get("last_run").asObject().get("models").asArray();
    }

    @Test
    void replace_swapsTheEntry_keepsTheUsersFields_downloadsTheNewFile_andSendsTheWebhook()
            throws IOException {
        startWithOldThenPublish("replace", oldEntry("auto"));
        daemon.checkUpdates();

        JsonArray entries = daemon.manifestOnDisk();
        assertEquals(1, entries.size());
        JsonObject entry = entries.get(0).asObject();
        assertEquals(NEW, entry.getLong("versionId", 0));
        assertEquals(Bytes.sha256(newBytes), entry.getString("sha256", null));
        assertEquals(5, entry.getInt("priority", 0));
        assertEquals("mine", entry.getString("note", null));
        assertTrue(Files.exists(dir.resolve("manifest.json.bak")));
        daemon.await(2, "completed");
        assertArrayEquals(newBytes, Files.readAllBytes(daemon.models()
                .resolve("lora/style.safetensors")));
        JsonObject hook = receiver.await("model_update");
        assertEquals(MODEL, hook.getLong("model_id", 0));
        assertEquals(NEW, hook.getLong("version_id", 0));
        assertEquals(Bytes.sha256(newBytes), hook.getString("sha256", null));
        assertEquals("2025-06-01T00:00:00.000Z", hook.getString("updatedAt", null));
        assertEquals("style.safetensors", hook.getString("filename", null));
        assertTrue(daemon.log("download.log").contains("upgrade: model 777"));
        assertEquals("updated", models().get(0).asObject().getString("status", null));
    }

    @Test
    void append_keepsTheOldEntryAndFile_andAddsTheNewOneBesideIt() throws IOException {
        startWithOldThenPublish("append", oldEntry("auto"));
        daemon.checkUpdates();

        JsonArray entries = daemon.manifestOnDisk();
        assertEquals(2, entries.size());
        assertEquals(OLD, entries.get(0).asObject().getLong("versionId", 0));
        assertEquals(NEW, entries.get(1).asObject().getLong("versionId", 0));
        daemon.await(2, "completed");
        assertArrayEquals(oldBytes, Files.readAllBytes(daemon.models()
                .resolve("lora/style.safetensors")));
        assertArrayEquals(newBytes, Files.readAllBytes(daemon.models()
                .resolve("lora/style-v7002.safetensors")));
    }

    @Test
    void notify_onlyReports_andPin_isNotEvenAsked() throws IOException {
        startWithOldThenPublish("replace", oldEntry("notify"));
        daemon.checkUpdates();
        assertEquals("notified", models().get(0).asObject().getString("status", null));
        assertEquals(NEW, receiver.await("model_update").getLong("version_id", 0));
        assertEquals(OLD, daemon.manifestOnDisk().get(0).asObject().getLong("versionId", 0),
                "manifest unchanged");
        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"), "nothing queued");

        JsonObject pinned = oldEntry("pin");
        Files.writeString(dir.resolve("manifest.json"), manifest(pinned).toString());
        long asked = civitai.requests().stream().filter(r -> r.path().equals("/api/v1/models/777"))
                .count();
        daemon.checkUpdates();
        assertEquals(asked, civitai.requests().stream()
                .filter(r -> r.path().equals("/api/v1/models/777")).count());
        assertEquals(0, models().size());
    }

    @Test
    void aReuploadedFile_withANewHash_isAnUpdateToo() throws IOException {
        publish(oldVersion());
        start(config("webhook_url", receiver.url(), "webhook_retry_delay", 0.05),
                manifest(oldEntry("auto")));
        daemon.await(1, "completed");
        byte[] reuploaded = Bytes.random(125_000, 7003);
        publish(version(OLD, "style.safetensors", reuploaded, "2025-01-01T00:00:00.000Z",
                Bytes.sha256(reuploaded)));
        daemon.checkUpdates();

        assertEquals(Bytes.sha256(reuploaded),
                daemon.manifestOnDisk().get(0).asObject().getString("sha256", null));
        daemon.await(2, "completed");
        assertArrayEquals(reuploaded, Files.readAllBytes(daemon.models()
                .resolve("lora/style.safetensors")));
        assertTrue(models().get(0).asObject().getString("message", "").contains("re-uploaded"));
    }

    @Test
    void errorsForOneModel_areReported_andNeverStopTheOthers() throws IOException {
        JsonObject deleted = oldEntry("auto").set("modelId", 404404)
                .set("filename", "gone.safetensors").set("sha256", Bytes.sha256(oldBytes));
        JsonObject broken = oldEntry("auto").set("modelId", 500500)
                .set("filename", "broken.safetensors");
        civitai.body("/api/v1/models/500500", "{\"id\": 500500, \"modelVersions\": [ {not json");
        startWithOldThenPublish("replace", deleted, broken, oldEntry("auto"));
        daemon.checkUpdates();

        var states = models().values().stream().map(v -> v.asObject().getString("status", ""))
                .toList();
        assertEquals(List.of("deleted", "error", "updated"), states);
        JsonObject error = receiver.await("model_update_error");
        assertEquals(404404, error.getLong("model_id", 0));
        assertTrue(error.getString("error", "").contains("deleted on Civitai"));
        assertTrue(receiver.hooks().stream().anyMatch(h -> h.getLong("model_id", 0) == 500500
                && h.getString("event", "").equals("model_update_error")));
        assertTrue(daemon.manifestOnDisk().toString().contains("gone.safetensors"),
                "a deleted model keeps its entry");
        JsonObject run = daemon.getJson("/api/updates").get("last_run").asObject();
        assertEquals(3, run.getInt("models_checked", 0));
        assertEquals(2, run.getInt("errors", 0));
    }

    @Test
    void updatesAndErrors_reachTheEventStream_asTheWebhookReceivesThem() {
        JsonObject deleted = oldEntry("notify").set("modelId", 404404)
                .set("filename", "gone.safetensors").set("sha256", Bytes.sha256(oldBytes));
        startWithOldThenPublish("replace", deleted, oldEntry("notify"));
        try (SseClient sse = SseClient.connect(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/events"))) {
            daemon.checkUpdates();
            JsonObject update = frame(sse, "model.update");
            heard(update);
            assertEquals(List.of("event", "timestamp", "source", "model_id", "version_id", "sha256",
                    "updatedAt", "name", "filename"), update.names());
            assertEquals(NEW, update.getLong("version_id", 0));
            JsonObject error = frame(sse, "model.update.error");
            heard(error);
            assertEquals(List.of("event", "timestamp", "source", "model_id", "error"),
                    error.names());
            assertEquals(404404, error.getLong("model_id", 0));
        }
    }

    /** A webhook receives the very document the event stream carried. */
    private void heard(JsonObject document) {
        Poll.until(() -> receiver.hooks().contains(document),
                () -> "a webhook with " + document + "; got " + receiver.hooks());
    }

    private static JsonObject frame(SseClient sse, String name) {
        return Json.parse(sse.await(e -> e.name().equals(name), name + " frame").data()).asObject();
    }

    @Test
    void rateLimitAndServerErrors_areWaitedOut() {
        publish(oldVersion(), newVersion());
        civitai.failApi("/api/v1/models",
                new Fault.Status(429, "application/json", "{\"error\":\"slow down\"}",
                        Map.of("Retry-After", "1")),
                new Fault.Status(500, "application/json", "{\"error\":\"oops\"}"));
        start(config("webhook_url", receiver.url()), manifest(oldEntry("auto")));
        daemon.checkUpdates();
        assertEquals("updated", models().get(0).asObject().getString("status", null));
        assertEquals(3, civitai.requests().stream().filter(r -> r.path().equals("/api/v1/models"))
                .count(), "429, 500, then the answer");
    }

    @Test
    void modelsAreAskedForInBulk_notOneByOne() {
        publish(oldVersion(), newVersion());
        JsonObject other = oldEntry("notify").set("modelId", 11821).set("versionId", 127062)
                .set("filename", "VSK.safetensors")
                .set("sha256", "260f2989f160c67b09fd68482d1cc45de61a33eec5d2fa6fcd6cf7e09bba7d47");
        start(manifest(oldEntry("auto"), other));
        daemon.checkUpdates();
        long single = civitai.requests().stream()
                .filter(r -> r.path().startsWith("/api/v1/models/")).count();
        long bulk = civitai.requests().stream().filter(r -> r.path().equals("/api/v1/models"))
                .count();
        assertEquals(0, single, "no model was asked for alone");
        assertEquals(1, bulk);
        assertTrue(civitai.requests().stream().filter(r -> r.path().equals("/api/v1/models"))
                .findFirst().orElseThrow().query().contains("nsfw=true"));
        assertEquals(2, daemon.getJson("/api/updates").get("last_run").asObject()
                .getInt("models_checked", 0));
    }

    @Test
    void theFirstCheck_runsShortlyAfterStart_byItself() {
        publish(oldVersion(), newVersion());
        start(config("update_first_delay", 0.2), manifest(oldEntry("auto")));
        Poll.until(() -> !daemon.getJson("/api/updates").get("last_run").isNull(),
                () -> "the first scheduled check");
        daemon.await(2, "completed");
    }

    @Test
    void oneCheckAtATime() {
        publish(oldVersion());
        civitai.failApi("/api/v1/models", new Fault.Status(429, "application/json", "{}",
                Map.of("Retry-After", "2")));
        start(manifest(oldEntry("auto")));
        assertEquals(202, daemon.post("/api/updates/check", null).statusCode());
        assertEquals(409, daemon.post("/api/updates/check", null).statusCode());
    }
}
