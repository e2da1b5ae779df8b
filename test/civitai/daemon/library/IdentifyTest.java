package civitai.daemon.library;

import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.civitai.CivitaiClient;
import civitai.daemon.download.fetch.RateGate;
import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files identified on Civitai by hash, in bulk, and adopted into manifest.json. */
class IdentifyTest extends LibraryFixture {
    private static final long FLUX_VERSION = 1387174;
    private static final long FLUX_MODEL = 1231067;

    @TempDir Path comfy;

    @Test
    void byHash_atMost100PerRequest_andUnknownHashesNotAskedAgain() throws Exception {
        for (int i = 0; i < 150; i++) {
            write(dir.resolve("models/lora/unknown-" + i + ".safetensors"),
                    Bytes.random(64, 1000 + i));
        }
        write(dir.resolve("models/lora/flux.safetensors"), civitai.content(FLUX_VERSION));
        start(new JsonArray());
        JsonObject status = settled();
        assertEquals(List.of(100, 51), civitai.byHashBatches(), status.toString());

        JsonObject flux = only(files("&identified=true"));
        assertEquals("flux.safetensors", flux.getString("name", null));
        assertEquals("civitai", flux.getString("source", null));
        assertEquals(FLUX_MODEL, flux.getLong("model_id", 0));
        assertEquals(FLUX_VERSION, flux.getLong("version_id", 0));
        assertEquals(150, files("&identified=false").size());
        assertTrue(files("&identified=false").get(0).asObject().get("unknown_to_civitai_since")
                .isString());

        scan();
        assertEquals(List.of(100, 51), civitai.byHashBatches(),
                "a hash Civitai did not know waits a day");
    }

    @Test
    void identifiedFiles_getSidecarsInDownloadDir_neverInAReadOnlyRoot_norOverTheUsersOwn()
            throws Exception {
        Path mine = write(dir.resolve("models/lora/flux.safetensors"),
                civitai.content(FLUX_VERSION));
        Path theirs = write(comfy.resolve("loras/my-flux.safetensors"),
                civitai.content(FLUX_VERSION));
        byte[] userSidecar = "{\"mine\": true}".getBytes();
        Path keptCopy = write(dir.resolve("models/lora/kept/flux.safetensors"),
                civitai.content(FLUX_VERSION));
        write(keptCopy.resolveSibling("flux.civitai.json"), userSidecar);
        byte[] userPreview = "their own preview".getBytes();
        Path withPreview = write(dir.resolve("models/lora/shown/flux.safetensors"),
                civitai.content(FLUX_VERSION));
        write(withPreview.resolveSibling("flux.preview.png"), userPreview);
        start(config().add("library_roots", new JsonArray().add(comfy.toString())),
                new JsonArray());
        settled();
        Path sidecar = mine.resolveSibling("flux.civitai.json");
        Poll.until(() -> Files.exists(sidecar), () -> "the identified file's sidecar");
        assertEquals(FLUX_VERSION, Json.parse(Files.readString(sidecar)).asObject()
                .getLong("id", 0));
        assertTrue(Files.notExists(theirs.resolveSibling("my-flux.civitai.json")),
                "a read-only root is never written");
        assertEquals(new String(userSidecar),
                Files.readString(keptCopy.resolveSibling("flux.civitai.json")),
                "a sidecar already there is left as it is");
        Path shownSidecar = withPreview.resolveSibling("flux.civitai.json");
        Poll.until(() -> Files.exists(shownSidecar), () -> "the sidecar beside the user's preview");
        Poll.until(() -> Files.exists(mine.resolveSibling("flux.preview.jpeg")),
                () -> "the preview of the first");
        assertEquals(new String(userPreview),
                Files.readString(withPreview.resolveSibling("flux.preview.png")));
        try (var beside = Files.list(withPreview.getParent())) {
            assertEquals(3, beside.count(),
                    "model, sidecar and the user's preview; no second preview");
        }
    }

    @Test
    void adopt_addsNotifyEntries_thatARestartNeverQueues() throws Exception {
        Path file = write(comfy.resolve("loras/my-flux.safetensors"),
                civitai.content(FLUX_VERSION));
        start(config().add("library_roots", new JsonArray().add(comfy.toString())),
                new JsonArray());
        settled();
        var r = daemon.post("/api/library/adopt", "{}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, json(r).getInt("added", 0), r.body());

        JsonArray manifest = Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
        assertEquals(1, manifest.size(), manifest.toString());
        JsonObject entry = manifest.get(0).asObject();
        assertTrue(entry.getBoolean("adopted", false), entry.toString());
        assertEquals("notify", entry.getString("update", null));
        assertEquals(file.toAbsolutePath().toString(), entry.getString("path", null));
        assertEquals(FLUX_MODEL, entry.getLong("modelId", 0));
        assertEquals(0, json(daemon.post("/api/library/adopt", "{}")).getInt("added", -1),
                "once only");

        daemon.stop();
        daemon.startAgain();
        settled();
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"),
                "the file is there: nothing to download");
        assertTrue(daemon.get("/api/updates/policies").body().contains("\"update\":\"notify\""),
                "the update checker covers it");
        assertTrue(Files.exists(file));
        var unknown = daemon.post("/api/library/adopt", new JsonObject().add("paths",
                new JsonArray().add(comfy.resolve("nope.safetensors").toString())).toString());
        assertTrue(json(unknown).get("problems").asArray().size() == 1, unknown.body());
    }

    @Test
    void fakeCivitai_refusesMoreThan100Hashes_asCivitaiDoes() throws Exception {
        JsonArray hashes = new JsonArray();
        for (int i = 0; i < 101; i++) {
            hashes.add(Bytes.sha256(new byte[] {(byte) i}));
        }
        var http = HttpClient.newHttpClient();
        var request = HttpRequest.newBuilder(URI.create(civitai.apiUrl()
                + "/model-versions/by-hash")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(hashes.toString())).build();
        assertEquals(400, http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
        var civitaiClient = new CivitaiClient(http, civitai.apiUrl(), null, "test", Duration.ofMillis(1),
                new RateGate(civitai.apiUrl(), Duration.ofMinutes(1), Clock.systemUTC()));
        List<String> many = hashes.values().stream().map(v -> v.asString()).toList();
        assertThrows(IllegalArgumentException.class,
                () -> civitaiClient.versionsByHash(many), "the client never sends more than 100");
        String flux = civitai.sha256(FLUX_VERSION);
        var found = civitaiClient.versionsByHash(List.of(flux, many.get(0)));
        assertEquals(1, found.size(), "the unknown hash is simply absent");
        assertEquals(FLUX_VERSION, found.get(0).getLong("id", 0));
    }
}
