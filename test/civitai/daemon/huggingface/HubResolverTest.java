package civitai.daemon.huggingface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.MovableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Hub's first answers pin the file: commit, hash and size, the CDN neither asked nor kept. */
class HubResolverTest {
    private static final byte[] VAE = "vae weights".getBytes(StandardCharsets.UTF_8);
    private FakeHub hub;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() throws Exception {
        hub = FakeHub.start();
        gate = new RateGate(hub.base(), Duration.ofMinutes(15), clock);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private RateGate gate;

    private HubAnswer resolve(String repo, String rev, String path, String token) throws Exception {
        return new HubResolver(http, hub.base(), token, gate)
                .resolve(new HfReference(repo, rev, path));
    }

    @Test
    void anLfsFileIsPinnedToTheCommitWithTheHubsSha256AndTheCdnIsNeverAsked() throws Exception {
        String commit = hub.push("org/m", "main", "vae/ae.safetensors", VAE, true);
        var r = (HubAnswer.Resolved) resolve("org/m", "main", "vae/ae.safetensors", null);
        assertEquals(commit, r.commit());
        assertEquals(FakeHub.sha256(VAE), r.sha256());
        assertEquals(VAE.length, r.size());
        assertEquals(URI.create(hub.base() + "/org/m/resolve/" + commit + "/vae/ae.safetensors"),
                r.pinned());
        assertFalse(r.pinned().toString().contains("sig="));
        assertTrue(hub.cdnSeen().isEmpty());
    }

    @Test
    void aBranchThatMovesResolvesToItsNewHead() throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        byte[] next = "new weights".getBytes(StandardCharsets.UTF_8);
        String second = hub.push("org/m", "main", "a.bin", next, true);
        var r = (HubAnswer.Resolved) resolve("org/m", "main", "a.bin", null);
        assertEquals(second, r.commit());
        assertEquals(FakeHub.sha256(next), r.sha256());
    }

    @Test
    void aGitStoredFileGoesByTheRelativeResolveCacheRedirectAndGivesItsGitSha1() throws Exception {
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String commit = hub.push("org/m", "main", "config.json", json, false);
        var r = (HubAnswer.Resolved) resolve("org/m", "main", "config.json", null);
        assertEquals(commit, r.commit());
        assertNull(r.sha256());
        assertEquals(FakeHub.gitSha1(json), r.gitSha1());
        assertEquals(json.length, r.size());
    }

    @Test
    void aRenamedRepoIsFollowedWithinTheHub() throws Exception {
        String commit = hub.push("org/new", "main", "a.bin", VAE, true);
        hub.rename("org/old", "org/new");
        var r = (HubAnswer.Resolved) resolve("org/old", "main", "a.bin", null);
        assertEquals(commit, r.commit());
        assertEquals(FakeHub.sha256(VAE), r.sha256());
    }

    @Test
    void aGatedRepoWithoutTokenTellsWhereToAcceptTheLicence() throws Exception {
        hub.push("org/gated", "main", "a.bin", VAE, true);
        hub.gate("org/gated", "hf_right");
        assertEquals(new HubAnswer.Refused("gated",
                "accept the licence at https://huggingface.co/org/gated and set hf_token"),
                resolve("org/gated", "main", "a.bin", null));
        assertEquals("forbidden", ((HubAnswer.Refused) resolve("org/gated", "main", "a.bin",
                "hf_wrong")).reason());
        assertTrue(resolve("org/gated", "main", "a.bin", "hf_right") instanceof HubAnswer.Resolved);
    }

    @Test
    void theTokenGoesToTheHubOnly() throws Exception {
        hub.push("org/gated", "main", "a.bin", VAE, true);
        hub.gate("org/gated", "hf_right");
        resolve("org/gated", "main", "a.bin", "hf_right");
        assertTrue(hub.hubSeen().stream()
                .allMatch(s -> "Bearer hf_right".equals(s.authorization())));
        assertTrue(hub.cdnSeen().stream().allMatch(s -> s.authorization() == null));
    }

    @Test
    void aMissingFileOrRevisionIsNotFound() throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        var file = (HubAnswer.Refused) resolve("org/m", "main", "b.bin", null);
        assertEquals("not_found", file.reason());
        assertTrue(file.message().startsWith("EntryNotFound"), file.message());
        var rev = (HubAnswer.Refused) resolve("org/m", "v9", "a.bin", null);
        assertTrue(rev.message().startsWith("RevisionNotFound"), rev.message());
    }

    @Test
    void a429WaitsByTheRateLimitHeader_andHoldsEveryRequestToTheHubUntilTheWaitHasPassed()
            throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        hub.push("org/m", "main", "b.bin", VAE, true);
        hub.rateLimitNext(1);
        assertEquals(new HubAnswer.RateLimited(Duration.ofSeconds(7)),
                resolve("org/m", "main", "a.bin", null));
        assertEquals(Duration.ofSeconds(7), gate.closedFor(),
                "the engine's downloads from the Hub wait too");

        int asked = hub.hubSeen().size();
        clock.advance(Duration.ofSeconds(4));
        assertEquals(new HubAnswer.RateLimited(Duration.ofSeconds(3)),
                resolve("org/m", "main", "b.bin", null));
        assertEquals(asked, hub.hubSeen().size(), "another file, and the Hub was not asked");
        clock.advance(Duration.ofSeconds(3));
        assertTrue(resolve("org/m", "main", "b.bin", null) instanceof HubAnswer.Resolved);
    }

    @Test
    void aRetryAfterOnA429_closesTheGateForItsWait() throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        hub.rateLimitNext(1, "30");
        assertEquals(new HubAnswer.RateLimited(Duration.ofSeconds(30)),
                resolve("org/m", "main", "a.bin", null));
        assertEquals(Duration.ofSeconds(30), gate.closedFor());
    }

    @Test
    void aGateClosedByTheEngine_holdsTheResolver() throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        gate.rateLimited(URI.create(hub.base() + "/org/m/resolve/0123/other.bin"),
                Duration.ofSeconds(12));
        assertEquals(new HubAnswer.RateLimited(Duration.ofSeconds(12)),
                resolve("org/m", "main", "a.bin", null));
        assertTrue(hub.hubSeen().isEmpty());
    }

    @Test
    void aManifestSha256ThatIsNotTheHubsIsNamedBesideIt() throws Exception {
        hub.push("org/m", "main", "a.bin", VAE, true);
        var r = (HubAnswer.Resolved) resolve("org/m", "main", "a.bin", null);
        assertEquals(Optional.empty(), HubResolver.disagreement(r.sha256().toUpperCase(), r));
        String other = "0".repeat(64);
        assertEquals(Optional.of("the manifest says sha256 " + other + " but the Hub says "
                + r.sha256() + " at commit " + r.commit()), HubResolver.disagreement(other, r));
    }
}
