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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A non-LFS (git-stored) Hub file has only a git SHA-1: its bytes are checked against it when it is
 * added, and the job then expects their SHA-256, so the download is verified as an LFS file's is.
 */
class HubNonLfsTest extends HubDaemonTest {
    private static final String TOKEN = "hf_testtoken0123456789";
    private final byte[] config = "{\"_class_name\": \"AutoencoderKL\", \"latent_channels\": 16}\n"
            .getBytes(StandardCharsets.UTF_8);
    private JsonObject tokenConfig(Object... more) {
        return hubConfig(more).set("hf_token", TOKEN);
    }

    private HttpResponse<String> add(String repoAndPath) {
        return daemon.post("/api/download", new JsonObject().add("huggingface", repoAndPath)
                .add("model_type", "vae").toString());
    }

    private JsonObject recorded() throws IOException {
        JsonArray m = Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
        return m.get(m.size() - 1).asObject();
    }

    @Test
    void theGitSha1_isGitsObjectIdOfTheBlob() {
        // git hash-object of "hello\n"
        assertEquals("ce013625030ba8dba906f756967f9e9ca394464a",
                NonLfsFiles.gitSha1("hello\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aGoodNonLfsFile_isExpectedByItsSha256_recordedWithIt_andCompletesVerified()
            throws IOException {
        String commit = hub.push("org/flux", "main", "vae/config.json", config, false);
        start(tokenConfig(), manifest());
        var r = add("org/flux/vae/config.json");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject job = json(r).get("job").asObject();

        assertEquals(FakeHub.sha256(config), job.getString("expected_sha256", null));
        JsonObject entry = recorded();
        assertEquals(FakeHub.sha256(config), entry.getString("sha256", null));
        assertEquals(FakeHub.gitSha1(config), entry.getString("git_sha1", null));
        assertEquals(commit, entry.getString("commit", null));
        assertEquals(config.length, entry.getLong("size", -1));
        var row = daemon.await(job.getLong("id", 0), "completed");
        assertEquals(FakeHub.sha256(config), row.get("sha256"), row.toString());
        assertArrayEquals(config, Files.readAllBytes(daemon.models().resolve("vae/config.json")));
    }

    @Test
    void aCorruptedNonLfsBody_isRefusedNamingBothHashes_andNothingIsQueued() throws IOException {
        hub.push("org/flux", "main", "vae/config.json", config, false);
        hub.corruptNonLfs();
        start(tokenConfig(), manifest());
        String before = Files.readString(dir.resolve("manifest.json"));
        var r = add("org/flux/vae/config.json");

        assertEquals(400, r.statusCode(), r.body());
        JsonObject error = json(r).get("error").asObject();
        assertEquals("hash_mismatch", error.getString("code", null));
        String message = error.getString("message", "");
        byte[] sent = config.clone();
        sent[0] ^= 1;
        assertTrue(message.contains(FakeHub.gitSha1(config))
                && message.contains(FakeHub.gitSha1(sent)), message);
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
        assertEquals(before, Files.readString(dir.resolve("manifest.json")));
    }

    @Test
    void bytesThatChangeAfterTheCheck_failTheJobsOwnVerification() {
        storage.pace(200_000);
        start(tokenConfig("workers", 1, "retries", 0), manifest(entry("lora", "first.safetensors",
                storage.put("first", Bytes.random(400_000, 71)), null)));
        daemon.await(daemon.idOf("first.safetensors"), "downloading");
        hub.push("org/flux", "main", "vae/config.json", config, false);
        var r = add("org/flux/vae/config.json");
        assertEquals(202, r.statusCode(), r.body());
        hub.corruptNonLfs();  // the job has not started: the engine's own download gets these bytes

        var row = daemon.await(json(r).get("job").asObject().getLong("id", 0), "failed");
        assertEquals("hash_mismatch", row.get("failure_reason"), row.toString());
        assertFalse(Files.exists(daemon.models().resolve("vae/config.json")));
    }

    @Test
    void aNonLfsFileServedFromAnotherHost_isVerified_andTheTokenNeverLeavesTheHub()
            throws IOException {
        hub.push("org/gated", "main", "config.json", config, false);
        hub.gate("org/gated", TOKEN);
        hub.nonLfsFromCdn();
        start(tokenConfig(), manifest());
        var r = add("org/gated/config.json");
        assertEquals(202, r.statusCode(), r.body());
        daemon.await(json(r).get("job").asObject().getLong("id", 0), "completed");

        assertArrayEquals(config, Files.readAllBytes(daemon.models().resolve("vae/config.json")));
        hub.hubSeen().forEach(s -> assertEquals("Bearer " + TOKEN, s.authorization(),
                s.toString()));
        assertTrue(hub.cdnSeen().size() >= 2,
                "the check's GET and the download's: " + hub.cdnSeen());
        hub.cdnSeen().forEach(s -> assertNull(s.authorization(), s.toString()));
    }

    @Test
    void aNonLfsFileLargerThanTheCap_isRefusedWithWhy() {
        hub.push("org/flux", "main", "big.json", new byte[NonLfsFiles.MAX_BYTES + 1], false);
        start(tokenConfig(), manifest());
        var r = add("org/flux/big.json");

        assertEquals(400, r.statusCode(), r.body());
        JsonObject error = json(r).get("error").asObject();
        assertEquals("too_large", error.getString("code", null));
        assertTrue(error.getString("message", "").contains("non-LFS file larger than 10 MiB"),
                r.body());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }
}
