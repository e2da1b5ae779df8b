package civitai.daemon.huggingface;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.HookReceiver;
import civitai.daemon.testing.HubDaemonTest;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The update check of Hugging Face entries: a branch whose head moves to a file with a new
 * SHA-256 is an update, handled by the entry's policy; an entry pinned to a commit never is.
 */
class HubUpdateTest extends HubDaemonTest {
    private static final String FILE = "vae/ae.safetensors";
    private final byte[] oldBytes = Bytes.random(150_000, 61);
    private final byte[] newBytes = Bytes.random(160_000, 62);
    private final HookReceiver receiver = HookReceiver.start();
    private String oldCommit;

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    /**
     * The old file at main, added through the API (so HfEntries writes the entry) and downloaded.
     */
    private void startWithOldFile(String mode, JsonObject add) {
        oldCommit = hub.push("org/flux", "main", FILE, oldBytes, true);
        start(hubConfig("manifest_mode", mode, "webhook_retry_delay", 0.05,
                "webhook_url", receiver.url()), manifest());
        var r = daemon.post("/api/download",
                add.add("model_type", "vae").add("note", "mine").toString());
        assertEquals(202, r.statusCode(), r.body());
        daemon.await(json(r).get("job").asObject().getLong("id", 0), "completed");
    }

    private void startWithOldFile(String mode, String update) {
        startWithOldFile(mode, new JsonObject().add("huggingface", "org/flux/" + FILE)
                .add("update", update));
    }

    private JsonArray files() {
        return daemon.getJson("/api/updates").get("last_run").asObject().get("files").asArray();
    }


    private long jobs() {
        return daemon.db().count("SELECT count(*) FROM jobs");
    }

    @Test
    void replace_aNewFileAtTheBranchHead_replacesTheEntry_andDownloadsIt() throws IOException {
        startWithOldFile("replace", "auto");
        String newCommit = hub.push("org/flux", "main", FILE, newBytes, true);
        daemon.checkUpdates();

        JsonArray entries = daemon.manifestOnDisk();
        assertEquals(1, entries.size(), entries.toString());
        JsonObject entry = entries.get(0).asObject();
        assertEquals(newCommit, entry.getString("commit", null));
        assertEquals(FakeHub.sha256(newBytes), entry.getString("sha256", null));
        assertEquals(newBytes.length, entry.getLong("size", 0));
        assertEquals("main", entry.getString("revision", null));
        assertEquals(hub.base() + "/org/flux/resolve/" + newCommit + "/" + FILE,
                entry.getString("url", null));
        assertEquals("mine", entry.getString("note", null), "the user's fields survive");
        daemon.await(2, "completed");
        assertArrayEquals(newBytes, Files.readAllBytes(daemon.models()
                .resolve("vae/ae.safetensors")));

        JsonObject hook = receiver.await("model_update");
        assertEquals("huggingface", hook.getString("source", null));
        assertEquals("org/flux", hook.getString("repo", null));
        assertEquals(FILE, hook.getString("path", null));
        assertEquals(newCommit, hook.getString("commit", null));
        assertEquals(FakeHub.sha256(newBytes), hook.getString("sha256", null));
        JsonObject state = files().get(0).asObject();
        assertEquals("updated", state.getString("status", null));
        assertEquals(oldCommit, state.getString("commit", null));
        assertEquals(newCommit, state.getString("newest_commit", null));
        assertTrue(daemon.log("download.log")
                .contains("upgrade: huggingface org/flux/" + FILE + "@main"));
    }

    @Test
    void aChangedNonLfsFile_isReadOnce_soItsNewJobExpectsItsSha256() throws IOException {
        byte[] oldConfig = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
        byte[] newConfig = "{\"a\": 2}".getBytes(StandardCharsets.UTF_8);
        hub.push("org/flux", "main", "vae/config.json", oldConfig, false);
        startWithOldFile("replace", new JsonObject()
                .add("huggingface", "org/flux/vae/config.json"));
        hub.push("org/flux", "main", "vae/config.json", newConfig, false);
        daemon.checkUpdates();

        JsonObject entry = daemon.manifestOnDisk().get(0).asObject();
        assertEquals(FakeHub.sha256(newConfig), entry.getString("sha256", null));
        assertEquals(FakeHub.gitSha1(newConfig), entry.getString("git_sha1", null));
        var row = daemon.await(2, "completed");
        assertEquals(FakeHub.sha256(newConfig), row.get("expected_sha256"), row.toString());
        assertArrayEquals(newConfig, Files.readAllBytes(daemon.models()
                .resolve("vae/config.json")));
    }

    @Test
    void append_keepsTheOldEntryAndFile_andAddsTheNewOneBesideIt() throws IOException {
        startWithOldFile("append", "auto");
        String newCommit = hub.push("org/flux", "main", FILE, newBytes, true);
        daemon.checkUpdates();

        JsonArray entries = daemon.manifestOnDisk();
        assertEquals(2, entries.size(), entries.toString());
        assertEquals(oldCommit, entries.get(0).asObject().getString("commit", null));
        assertEquals(newCommit, entries.get(1).asObject().getString("commit", null));
        daemon.await(2, "completed");
        assertArrayEquals(oldBytes, Files.readAllBytes(daemon.models()
                .resolve("vae/ae.safetensors")));
        assertArrayEquals(newBytes, Files.readAllBytes(daemon.models().resolve(
                "vae/ae-" + newCommit.substring(0, 8) + ".safetensors")));

        // the new file is recorded now: the old entry beside it is not news again
        daemon.checkUpdates();
        assertEquals(List.of("current", "current"), statuses());
        assertEquals(2, daemon.manifestOnDisk().size());
    }

    @Test
    void notify_onlyReports() throws IOException {
        startWithOldFile("replace", "notify");
        String before = daemon.manifestOnDisk().toString();
        String newCommit = hub.push("org/flux", "main", FILE, newBytes, true);
        daemon.checkUpdates();

        assertEquals("notified", files().get(0).asObject().getString("status", null));
        assertEquals(newCommit, receiver.await("model_update").getString("commit", null));
        assertEquals(before, daemon.manifestOnDisk().toString(), "manifest unchanged");
        assertEquals(1, jobs(), "nothing queued");
    }

    @Test
    void anEntryPinnedToACommit_isNeverAnUpdate_norAsked() throws IOException {
        String pinned = hub.push("org/flux", "main", FILE, oldBytes, true);
        startWithOldFile("replace", new JsonObject().add("huggingface", "org/flux/" + FILE)
                .add("revision", pinned));
        hub.push("org/flux", "main", FILE, newBytes, true);
        String before = daemon.manifestOnDisk().toString();
        long asked = hub.hubSeen().size();
        daemon.checkUpdates();

        assertEquals(0, files().size());
        assertEquals(asked, hub.hubSeen().size(), "the Hub was not asked");
        assertEquals(before, daemon.manifestOnDisk().toString());
        assertEquals(1, jobs());
    }

    @Test
    void anUnchangedFile_isCurrent_andOneHeadIsAllItCosts() throws IOException {
        startWithOldFile("replace", "auto");
        // main moves
        hub.push("org/flux", "main", "README.md", "other".getBytes(StandardCharsets.UTF_8), false);
        String before = daemon.manifestOnDisk().toString();
        long asked = hub.hubSeen().size();
        daemon.checkUpdates();

        assertEquals(List.of("current"), statuses());
        assertEquals(asked + 1, hub.hubSeen().size(), "one HEAD");
        assertEquals(before, daemon.manifestOnDisk().toString());
        assertEquals(1, jobs());
        assertTrue(receiver.hooks().stream().noneMatch(h ->
                h.getString("event", "").startsWith("model_update")), receiver.hooks().toString());
    }

    @Test
    void aGatedRepoDuringTheCheck_isReported_andChangesNothing() throws IOException {
        startWithOldFile("replace", "auto");
        hub.push("org/flux", "main", FILE, newBytes, true);
        hub.gate("org/flux", "hf_a_token_this_daemon_lacks");
        String before = daemon.manifestOnDisk().toString();
        daemon.checkUpdates();

        JsonObject state = files().get(0).asObject();
        assertEquals("error", state.getString("status", null));
        assertTrue(state.getString("message", "").startsWith("gated: accept the licence"),
                state.toString());
        JsonObject error = receiver.await("model_update_error");
        assertEquals("huggingface", error.getString("source", null));
        assertEquals("org/flux", error.getString("repo", null));
        assertEquals(before, daemon.manifestOnDisk().toString());
        assertEquals(1, jobs());
        assertEquals(1, daemon.getJson("/api/updates").get("last_run").asObject()
                .getInt("errors", 0));
    }

    @Test
    void aRateLimitedHubDuringTheCheck_isReported_andChangesNothing() throws IOException {
        startWithOldFile("replace", "auto");
        hub.push("org/flux", "main", FILE, newBytes, true);
        hub.rateLimitNext(1);
        String before = daemon.manifestOnDisk().toString();
        daemon.checkUpdates();

        JsonObject state = files().get(0).asObject();
        assertEquals("error", state.getString("status", null));
        assertTrue(state.getString("message", "").contains("wait 7 s"), state.toString());
        assertEquals(before, daemon.manifestOnDisk().toString());
        assertEquals(1, jobs());
    }

    private List<String> statuses() {
        return files().values().stream().map(v -> v.asObject().getString("status", "")).toList();
    }
}
