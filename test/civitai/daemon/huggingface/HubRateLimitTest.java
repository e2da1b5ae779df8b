package civitai.daemon.huggingface;

import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.HubDaemonTest;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The Hub has one rate gate, as Civitai does: a 429 seen by any request to it (a download, a
 * resolve, the update check) holds every other request to the Hub until its wait has passed, and
 * a person who adds a Hub file meanwhile is answered at once with when to ask again.
 */
class HubRateLimitTest extends HubDaemonTest {
    private static final int WAIT = 5;
    /** Shorter than the wait: a download waiting on the Hub's gate is not stalled. */
    private static final int STALL = 2;
    private String url(String commit, String file) {
        return hub.base() + "/org/flux/resolve/" + commit + "/" + file;
    }

    private JsonObject pinned(String commit, String file, int priority) {
        return new JsonObject().add("url", url(commit, file)).add("model_type", "vae")
                .add("priority", priority);
    }

    private Instant firstHubRequestFor(String file) {
        return hub.hubSeen().stream().filter(s -> s.path().endsWith("/" + file)).findFirst()
                .orElseThrow().at();
    }

    @Test
    void a429ToOneDownload_holdsTheNextFilesRequest_andAPersonsAddIsAnswered503WithWhenToAskAgain()
            throws IOException {
        byte[] a = Bytes.random(50_000, 81);
        byte[] c = Bytes.random(60_000, 82);
        hub.push("org/flux", "main", "a.safetensors", a, true);
        String commit = hub.push("org/flux", "main", "c.safetensors", c, true);
        hub.push("org/flux", "main", "b.safetensors", Bytes.random(40_000, 83), true);
        hub.rateLimitNext(1, Integer.toString(WAIT));  // the first request to the Hub: a's
        // one worker: c starts once a's attempt has ended on the 429, so c's request comes after it
        start(hubConfig("workers", 1, "retries", 3, "stall_timeout", STALL),
                manifest(pinned(commit, "a.safetensors", 0), pinned(commit, "c.safetensors", 1)));
        long idA = daemon.idOf(url(commit, "a.safetensors"));
        Poll.until(() -> daemon.job(idA).get("last_error") != null,
                () -> "a's attempt to end on the 429");
        Instant rateLimited = hub.hubSeen().get(0).at();

        int asked = hub.hubSeen().size();
        var add = daemon.post("/api/download",
                new JsonObject().add("huggingface", "org/flux/b.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(503, add.statusCode(), add.body());
        long retryAfter = Long.parseLong(add.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= WAIT,
                "the time the gate reopens: " + retryAfter);
        JsonObject error = json(add).get("error").asObject();
        assertEquals("hub_rate_limited", error.getString("code", null));
        assertTrue(error.getString("message", "").contains("ask again in " + retryAfter + " s"),
                add.body());
        assertTrue(hub.hubSeen().stream().skip(asked)
                .noneMatch(s -> s.path().endsWith("/b.safetensors")),
                "a closed gate asks the Hub nothing: " + hub.hubSeen());

        daemon.await(daemon.idOf(url(commit, "c.safetensors")), "completed");
        assertFalse(firstHubRequestFor("c.safetensors").isBefore(rateLimited.plusSeconds(WAIT)),
                "c's download waited on the gate: " + hub.hubSeen());
        assertArrayEquals(c, Files.readAllBytes(daemon.models().resolve("vae/c.safetensors")));
        daemon.await(idA, "completed");
        assertArrayEquals(a, Files.readAllBytes(daemon.models().resolve("vae/a.safetensors")));
        var again = daemon.post("/api/download",
                new JsonObject().add("huggingface", "org/flux/b.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(202, again.statusCode(), again.body());
    }

    @Test
    void a429ToAPersonsAdd_holdsTheEnginesNextRequestToTheHub() {
        String commit = hub.push("org/flux", "main", "c.safetensors", Bytes.random(60_000, 84),
                true);
        hub.push("org/flux", "main", "b.safetensors", Bytes.random(40_000, 85), true);
        start(hubConfig("retries", 0, "stall_timeout", STALL), manifest());
        hub.rateLimitNext(1, Integer.toString(WAIT));
        var add = daemon.post("/api/download",
                new JsonObject().add("huggingface", "org/flux/b.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(503, add.statusCode(), add.body());
        assertEquals(Integer.toString(WAIT), add.headers().firstValue("Retry-After").orElse(null));
        Instant rateLimited = hub.hubSeen().get(0).at();

        var pinnedLink = daemon.post("/api/download",
                pinned(commit, "c.safetensors", 0).toString());
        assertEquals(503, pinnedLink.statusCode(),
                "a pinned Hub link is resolved too: " + pinnedLink.body());
        // a URL on the Hub's host that is no Hub link is queued as it is: only the engine asks for
        // it
        var plain = daemon.post("/api/download",
                new JsonObject().add("url", hub.base() + "/files/c.bin")
                .add("model_type", "vae").add("filename", "c.bin").toString());
        assertEquals(202, plain.statusCode(), plain.body());
        // the fake has no such file
        daemon.await(json(plain).get("job").asObject().getLong("id", 0), "failed");
        assertFalse(firstHubRequestFor("c.bin").isBefore(rateLimited.plusSeconds(WAIT)),
                "the engine's request waited on the gate: " + hub.hubSeen());
    }

    @Test
    void aBare429ToADownload_holdsTheHubForItsQuotaPause_notForRetryMaxDelay() {
        String commit = hub.push("org/flux", "main", "a.safetensors", Bytes.random(50_000, 86),
                true);
        hub.push("org/flux", "main", "b.safetensors", Bytes.random(40_000, 87), true);
        hub.bareRateLimitNext(1);  // no Retry-After, no RateLimit: the Hub's quota pause decides
        start(hubConfig("retries", 3, "retry_max_delay", 900, "stall_timeout", STALL),
                manifest(pinned(commit, "a.safetensors", 0)));
        long idA = daemon.idOf(url(commit, "a.safetensors"));
        Poll.until(() -> daemon.job(idA).get("last_error") != null,
                () -> "a's attempt to end on the 429");

        var add = daemon.post("/api/download",
                new JsonObject().add("huggingface", "org/flux/b.safetensors")
                .add("model_type", "vae").toString());
        assertEquals(503, add.statusCode(), add.body());
        long retryAfter = Long.parseLong(add.headers().firstValue("Retry-After").orElse("0"));
        assertTrue(retryAfter >= 1 && retryAfter <= HubResolver.QUOTA_PAUSE.toSeconds(),
                "held for the Hub's quota pause, as the resolver's own 429 would be: "
                + retryAfter);
    }
}
