package civitai.daemon.huggingface;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.HubDaemonTest;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Hugging Face links in through the API: pinned, verified by the Hub's hash, the token kept to the
 * Hub.
 */
class HubDownloadTest extends HubDaemonTest {
    private static final String TOKEN = "hf_testtoken0123456789";
    private final byte[] vae = Bytes.random(300_000, 41);
    private JsonObject tokenConfig(Object... more) {
        JsonObject c = hubConfig(more);
        return c.get("hf_token") == null ? c.set("hf_token", TOKEN) : c;
    }

    private HttpResponse<String> add(JsonObject body) {
        return daemon.post("/api/download", body.toString());
    }

    private JsonObject queued(JsonObject body) {
        var r = add(body);
        assertEquals(202, r.statusCode(), r.body());
        return json(r).get("job").asObject();
    }

    private JsonObject recorded() throws IOException {
        JsonArray m = Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
        return m.get(m.size() - 1).asObject();
    }

    private static JsonObject error(HttpResponse<String> r) {
        return json(r).get("error").asObject();
    }

    @Test
    void aBlobLink_isPinnedToItsCommit_verifiedByTheHubsSha256_andFiledByType() throws IOException {
        String commit = hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        String link = hub.base() + "/org/flux/blob/main/vae/ae.safetensors?download=true";
        JsonObject job = queued(new JsonObject().add("url", link).add("model_type", "vae"));

        assertEquals(FakeHub.sha256(vae), job.getString("expected_sha256", null));
        JsonObject entry = recorded();
        assertEquals("huggingface", entry.getString("source", null));
        assertEquals("org/flux", entry.getString("repo", null));
        assertEquals("vae/ae.safetensors", entry.getString("path", null));
        assertEquals("main", entry.getString("revision", null));
        assertEquals(commit, entry.getString("commit", null));
        assertEquals(vae.length, entry.getLong("size", -1));
        assertEquals(hub.base() + "/org/flux/resolve/" + commit + "/vae/ae.safetensors",
                entry.getString("url", null));

        daemon.await(job.getLong("id", 0), "completed");
        assertArrayEquals(vae, Files.readAllBytes(daemon.models().resolve("vae/ae.safetensors")));
    }

    @Test
    void aDryRun_showsTheResolvedCommitSizeAndHash_andQueuesNothing() throws IOException {
        String commit = hub.push("org/flux", "main", "vae/ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        String before = Files.readString(dir.resolve("manifest.json"));
        var r = daemon.post("/api/download?dry_run=true", new JsonObject()
                .add("url", hub.base() + "/org/flux/blob/main/vae/ae.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonObject entry = json(r).get("entry").asObject();
        assertEquals(commit, entry.getString("commit", null));
        assertEquals(FakeHub.sha256(vae), entry.getString("sha256", null));
        assertEquals(vae.length, entry.getLong("size", -1));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"), "a dry run queues nothing");
        assertEquals(before, Files.readString(dir.resolve("manifest.json")), "and records nothing");
    }

    @Test
    void theTokenReachesTheHub_neverTheCdn_aLogOrAnAnswer() throws IOException {
        hub.push("org/gated", "main", "model.safetensors", vae, true);
        hub.gate("org/gated", TOKEN);
        start(tokenConfig(), manifest());
        JsonObject job = queued(new JsonObject().add("huggingface", "org/gated/model.safetensors")
                .add("model_type", "checkpoint"));
        daemon.await(job.getLong("id", 0), "completed");

        assertFalse(hub.hubSeen().isEmpty());
        hub.hubSeen().forEach(s -> assertEquals("Bearer " + TOKEN, s.authorization(),
                s.toString()));
        assertFalse(hub.cdnSeen().isEmpty(), "the file came from the CDN");
        hub.cdnSeen().forEach(s -> assertNull(s.authorization(), s.toString()));
        assertFalse(daemon.get("/api/jobs/" + job.getLong("id", 0)).body().contains(TOKEN));
        assertFalse(Files.readString(dir.resolve("manifest.json")).contains(TOKEN));
        assertFalse(daemon.log("download.log").contains(TOKEN));
    }

    @Test
    void aGatedRepoWithoutAToken_saysWhatToDo_andQueuesNothing() {
        hub.push("org/gated", "main", "model.safetensors", vae, true);
        hub.gate("org/gated", TOKEN);
        start(tokenConfig("hf_token", ""), manifest());
        var r = add(new JsonObject().add("huggingface", "org/gated/model.safetensors")
                .add("model_type", "checkpoint"));

        assertEquals(400, r.statusCode(), r.body());
        assertEquals("gated", error(r).getString("code", null));
        assertEquals("accept the licence at https://huggingface.co/org/gated and set hf_token",
                error(r).getString("message", null));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    @Test
    void aPinnedUrlRefusedLater_failsWithTheHubsReason_gatedOrForbidden() {
        String commit = hub.push("org/gated", "main", "model.safetensors", vae, true);
        hub.gate("org/gated", TOKEN);
        String pinned = hub.base() + "/org/gated/resolve/" + commit + "/model.safetensors";
        start(tokenConfig("hf_token", "", "retries", 0),
                manifest(new JsonObject().add("url", pinned).add("model_type", "checkpoint")));

        var row = daemon.await(daemon.idOf(pinned), "failed");
        assertEquals("gated", row.get("failure_reason"), row.toString());
        assertTrue(((String) row.get("last_error"))
                .contains("accept the licence at https://huggingface.co/org/gated"),
                row.toString());
    }

    @Test
    void aTokenWithoutAccess_isForbidden_atResolveAndAtDownload() {
        String commit = hub.push("org/gated", "main", "model.safetensors", vae, true);
        hub.gate("org/gated", "hf_someone_elses");
        String pinned = hub.base() + "/org/gated/resolve/" + commit + "/model.safetensors";
        start(tokenConfig("retries", 0),
                manifest(new JsonObject().add("url", pinned).add("model_type", "checkpoint")));
        var r = add(new JsonObject().add("huggingface", "org/gated/model.safetensors")
                .add("model_type", "vae"));

        assertEquals("forbidden", error(r).getString("code", null), r.body());
        var row = daemon.await(daemon.idOf(pinned), "failed");
        assertEquals("forbidden", row.get("failure_reason"), row.toString());
        assertTrue(((String) row.get("last_error"))
                .startsWith("hf_token has no access to org/gated"), row.toString());
    }

    @Test
    void aMissingFileAndAMissingRevision_areNotFound() {
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        var file = add(new JsonObject().add("huggingface", "org/flux/nope.safetensors")
                .add("model_type", "vae"));
        var rev = add(new JsonObject().add("huggingface", "org/flux/ae.safetensors")
                .add("revision", "v9").add("model_type", "vae"));

        assertEquals(400, file.statusCode(), file.body());
        assertEquals("not_found", error(file).getString("code", null));
        assertTrue(error(file).getString("message", "").startsWith("EntryNotFound"), file.body());
        assertEquals("not_found", error(rev).getString("code", null));
        assertTrue(error(rev).getString("message", "").startsWith("RevisionNotFound"), rev.body());
    }

    @Test
    void aHubLink_withoutAModelType_isRefused() {
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        var r = add(new JsonObject().add("url",
                hub.base() + "/org/flux/resolve/main/ae.safetensors"));

        assertEquals(400, r.statusCode(), r.body());
        assertTrue(error(r).getString("message", "").contains("model_type"), r.body());
    }

    @Test
    void aManifestSha256ThatIsNotTheHubs_isRefusedBeforeAnyByte_namingBoth() {
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        String wrong = "ab".repeat(32);
        var r = add(new JsonObject().add("huggingface", "org/flux/ae.safetensors")
                .add("model_type", "vae").add("sha256", wrong));

        assertEquals(400, r.statusCode(), r.body());
        String message = error(r).getString("message", "");
        assertTrue(message.contains(wrong) && message.contains(FakeHub.sha256(vae)), message);
        assertTrue(hub.cdnSeen().isEmpty());
    }

    @Test
    void aCorruptedCdnBody_neverReachesTheFinalPath() {
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        hub.corruptCdn();
        start(tokenConfig("retries", 1), manifest());
        JsonObject job = queued(new JsonObject().add("huggingface", "org/flux/ae.safetensors")
                .add("model_type", "vae"));

        var row = daemon.await(job.getLong("id", 0), "failed");
        assertEquals("hash_mismatch", row.get("failure_reason"), row.toString());
        assertFalse(Files.exists(daemon.models().resolve("vae/ae.safetensors")));
    }

    @Test
    void aPushToTheBranchWhileTheJobWaits_doesNotChangeWhatItFetches() throws IOException {
        byte[] slow = Bytes.random(400_000, 42);
        storage.pace(200_000);
        start(tokenConfig("workers", 1),
                manifest(entry("lora", "first.safetensors", storage.put("first", slow), null)));
        daemon.await(daemon.idOf("first.safetensors"), "downloading");
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        JsonObject job = queued(new JsonObject().add("huggingface", "org/flux/ae.safetensors")
                .add("model_type", "vae"));
        // main moves on
        hub.push("org/flux", "main", "ae.safetensors", Bytes.random(300_000, 43), true);

        daemon.await(job.getLong("id", 0), "completed");
        assertArrayEquals(vae, Files.readAllBytes(daemon.models().resolve("vae/ae.safetensors")));
    }

    @Test
    void aRateLimitedHub_answers503WithItsWait() {
        hub.push("org/flux", "main", "ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        hub.rateLimitNext(1);
        var r = add(new JsonObject().add("huggingface", "org/flux/ae.safetensors")
                .add("model_type", "vae"));

        assertEquals(503, r.statusCode(), r.body());
        assertEquals("7", r.headers().firstValue("Retry-After").orElse(null));
        assertEquals("hub_rate_limited", error(r).getString("code", null));
    }

    @Test
    void aHuggingFaceCoLink_isFetchedThroughTheConfiguredEndpoint() throws IOException {
        String commit = hub.push("org/flux", "main", "ae.safetensors", vae, true);
        start(tokenConfig(), manifest());
        JsonObject job = queued(new JsonObject()
                .add("url", "https://huggingface.co/org/flux/blob/main/ae.safetensors")
                .add("model_type", "vae"));

        assertTrue(recorded().getString("url", "")
                .startsWith(hub.base() + "/org/flux/resolve/" + commit + "/"));
        daemon.await(job.getLong("id", 0), "completed");
        Path file = daemon.models().resolve("vae/ae.safetensors");
        assertArrayEquals(vae, Files.readAllBytes(file));
    }
}
