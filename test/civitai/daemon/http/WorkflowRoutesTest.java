package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.FakeHub;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import civitai.daemon.workflow.PngWriter;
import civitai.daemon.workflow.WorkflowReader;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/workflow}: a real workflow planned against the library, and queued on request.
 */
class WorkflowRoutesTest extends DaemonTest {
    private static final Path FIXTURES = Path.of("test/resources/workflows");
    private static final String HF_URL =
            "https://huggingface.co/Comfy-Org/stable-diffusion-v1-5-archive/resolve/main/"
            + "v1-5-pruned-emaonly-fp16.safetensors?download=true";
    private static final String CHECKPOINT = "v1-5-pruned-emaonly-fp16.safetensors";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private HttpResponse<String> post(String query, byte[] body, String contentType)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/workflow" + query)).header("Content-Type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Starts on the comfyui layout and waits for the start's library scan to end. */
    private void startComfy() {
        startComfy(config("layout", "comfyui"));
    }

    private void startComfy(JsonObject config) {
        start(config, new JsonArray());
        JsonObject[] status = new JsonObject[1];
        Poll.until(() -> {
            status[0] = daemon.getJson("/api/library/scan");
            return !status[0].getBoolean("running", true) && status[0].get("last").isObject();
        }, () -> "the library scan to end: " + status[0]);
        assertEquals(0, jobs(), "an empty manifest queues nothing");
    }

    private static Path write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.write(file, content);
    }

    /** ComfyUI's default workflow, its checkpoint's URL pointing at the fake storage host. */
    private byte[] defaultWorkflowFrom(URI url) throws IOException {
        String text = Files.readString(FIXTURES.resolve("default.json"));
        assertTrue(text.contains(HF_URL), "the fixture still names its Hugging Face URL");
        return text.replace(HF_URL, url.toString()).getBytes(StandardCharsets.UTF_8);
    }

    private Path comfy(String folder, String name) {
        return daemon.models().resolve("models").resolve(folder).resolve(name).toAbsolutePath()
                .normalize();
    }

    private long jobs() {
        return daemon.db().count("SELECT count(*) FROM jobs");
    }

    private static JsonObject model(JsonObject answer, String name) {
        for (JsonValue v : answer.get("models").asArray()) {
            if (v.asObject().getString("name", "").equals(name)) {
                return v.asObject();
            }
        }
        throw new AssertionError("no model " + name + " in " + answer);
    }

    @Test
    void modelInTheLibrary_isPresent_andNothingIsQueued() throws Exception {
        write(dir.resolve("models/models/checkpoints/sd15/realisticVisionV51_v51VAE.safetensors"),
                Bytes.random(2_000, 7));
        startComfy();
        byte[] workflow = Files.readAllBytes(FIXTURES.resolve("ipadapter_advanced.json"));
        HttpResponse<String> r = post("?queue=true", workflow, "application/octet-stream");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject answer = json(r);
        JsonObject checkpoint = model(answer, "sd15/realisticVisionV51_v51VAE.safetensors");
        assertEquals("present", checkpoint.getString("decision", null), r.body());
        assertEquals(comfy("checkpoints", "sd15/realisticVisionV51_v51VAE.safetensors").toString(),
                checkpoint.getString("target", null));
        assertEquals("not_queued", checkpoint.get("queue").asObject().getString("result", null));
        assertEquals("not_found", model(answer, "ip-adapter-plus_sd15.safetensors")
                .getString("decision", null));
        assertEquals(1, answer.get("summary").asObject().getInt("present", 0), r.body());
        assertEquals(0, answer.getInt("queued", -1));
        assertEquals(0, jobs());
    }

    @Test
    void embeddedUrl_isPlannedAsADownload_queuedOnRequest_andNotTwice() throws Exception {
        byte[] content = Bytes.random(300_000, 11);
        URI url = storage.put(CHECKPOINT, content);
        startComfy();
        byte[] workflow = defaultWorkflowFrom(url);
        Path target = comfy("checkpoints", CHECKPOINT);

        HttpResponse<String> plan = post("", workflow, "text/plain");
        assertEquals(200, plan.statusCode(), plan.body());
        JsonObject row = model(json(plan), CHECKPOINT);
        assertEquals("download", row.getString("decision", null), plan.body());
        assertEquals(target.toString(), row.getString("target", null));
        assertEquals(url.toString(), row.getString("url", null));

        HttpResponse<String> queued = post("?queue=true", workflow, "image/png");
        assertEquals(202, queued.statusCode(), queued.body());
        JsonObject q = model(json(queued), CHECKPOINT).get("queue").asObject();
        assertEquals("queued", q.getString("result", null), queued.body());
        assertFalse(q.getBoolean("verified", true),
                "a plain URL with no hash is not verified: " + q);
        long id = q.getLong("job_id", 0);
        daemon.await(id, "completed");
        assertArrayEquals(content, Files.readAllBytes(target));
        String entry = (String) daemon.job(id).get("entry_json");
        assertTrue(entry.contains("\"workflow\":{\"sha256\":\"" + Bytes.sha256(workflow) + "\""),
                entry);

        HttpResponse<String> again = post("?queue=true", workflow, "application/json");
        assertEquals(202, again.statusCode(), again.body());
        JsonObject second = model(json(again), CHECKPOINT).get("queue").asObject();
        assertTrue(second.getString("result", "").matches("not_queued|held"), again.body());
        assertEquals(0, json(again).getInt("queued", -1));
        assertEquals(1, jobs());
    }

    @Test
    void aHuggingFaceUrlInTheWorkflow_goesThroughTheHub_pinnedAndVerifiedByItsSha256()
            throws Exception {
        byte[] content = Bytes.random(300_000, 17);
        try (FakeHub hub = FakeHub.start()) {
            String commit = hub.push("Comfy-Org/stable-diffusion-v1-5-archive", "main", CHECKPOINT,
                    content, true);
            startComfy(config("layout", "comfyui", "hf_endpoint", hub.base().toString()));
            // its huggingface.co link as is
            byte[] workflow = Files.readAllBytes(FIXTURES.resolve("default.json"));

            HttpResponse<String> queued = post("?queue=true", workflow, "application/json");
            assertEquals(202, queued.statusCode(), queued.body());
            JsonObject q = model(json(queued), CHECKPOINT).get("queue").asObject();
            assertEquals("queued", q.getString("result", null), queued.body());
            assertTrue(q.getBoolean("verified", false), "the Hub's SHA-256 verifies it: " + q);
            long id = q.getLong("job_id", 0);
            var job = daemon.await(id, "completed");
            assertEquals(FakeHub.sha256(content), job.get("expected_sha256"));
            assertTrue(((String) job.get("url")).contains("/resolve/" + commit + "/"),
                    job.toString());
            assertArrayEquals(content, Files.readAllBytes(comfy("checkpoints", CHECKPOINT)));
        }
    }

    @Test
    void aGatedHuggingFaceRepoInTheWorkflow_isReportedAsSuch_andQueuesNothing() throws Exception {
        try (FakeHub hub = FakeHub.start()) {
            hub.push("Comfy-Org/stable-diffusion-v1-5-archive", "main", CHECKPOINT,
                    Bytes.random(1_000, 18), true);
            hub.gate("Comfy-Org/stable-diffusion-v1-5-archive", "hf_someone_elses");
            startComfy(config("layout", "comfyui", "hf_endpoint", hub.base().toString()));
            HttpResponse<String> r = post("?queue=true",
                    Files.readAllBytes(FIXTURES.resolve("default.json")), "text/plain");

            JsonObject q = model(json(r), CHECKPOINT).get("queue").asObject();
            assertEquals("failed", q.getString("result", null), r.body());
            assertEquals("gated", q.getString("code", null), r.body());
            assertTrue(q.toString().contains("accept the licence at"
                    + " https://huggingface.co/Comfy-Org/"), r.body());
            assertEquals(0, jobs());
        }
    }

    @Test
    void fileAJobIsFetching_isLeftToThatJob_evenFromAnotherUrl() throws Exception {
        byte[] content = Bytes.random(300_000, 14);
        URI url = storage.put(CHECKPOINT, content);
        URI mirror = storage.put("mirror.safetensors", content);
        storage.fault(CHECKPOINT, new Fault.Slow(60_000));  // seconds, while we ask again
        startComfy();
        HttpResponse<String> first = post("?queue=true", defaultWorkflowFrom(url),
                "application/json");
        long id = model(json(first), CHECKPOINT).get("queue").asObject().getLong("job_id", 0);
        assertTrue(id > 0, first.body());
        HttpResponse<String> second = post("?queue=true", defaultWorkflowFrom(mirror),
                "application/json");
        JsonObject q = model(json(second), CHECKPOINT).get("queue").asObject();
        assertEquals("held", q.getString("result", null), second.body());
        assertEquals(id, q.getLong("job_id", 0));
        assertEquals(1, jobs());
        daemon.await(id, "completed");
        assertArrayEquals(content, Files.readAllBytes(comfy("checkpoints", CHECKPOINT)));
    }

    /**
     * An A1111 image names its LoRA by AutoV2 alone and its checkpoint by a hash Civitai does not
     * know: the LoRA is found on Civitai by that short hash, queued under Civitai's file name and
     * verified by the full SHA-256; the checkpoint is reported, with its code.
     */
    @Test
    void a1111Png_shortHashes_areLookedUpOnCivitai_andVerifiedByTheFullSha256() throws Exception {
        long version = 1387174;  // a real LoRA version from the fixtures
        String sha256 = civitai.sha256(version);
        startComfy();
        String parameters = "a storybook fox <lora:pp-storybook_rank2_bf16:0.8>\nNegative prompt:"
                + " blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512,"
                + " Model hash: 0123456789, Model: unknown_checkpoint, Lora hashes:"
                + " \"pp-storybook_rank2_bf16: " + sha256.substring(0, 10) + "\", Version: v1.10.1";
        byte[] png = new PngWriter().text("parameters", parameters).bytes();

        HttpResponse<String> r = post("?queue=true", png, "application/octet-stream");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject lora = model(json(r), "pp-storybook_rank2_bf16");
        assertEquals("lookup_hash", lora.getString("decision", null), r.body());
        JsonObject q = lora.get("queue").asObject();
        assertEquals("queued", q.getString("result", null), r.body());
        assertTrue(q.getBoolean("verified", false),
                "verified by the full SHA-256 Civitai names: " + q);
        long id = q.getLong("job_id", 0);
        daemon.await(id, "completed");
        assertEquals(sha256, daemon.job(id).get("expected_sha256"));
        Path file = comfy("loras", "pp-storybook_rank2_bf16.safetensors");
        assertArrayEquals(civitai.content(version), Files.readAllBytes(file),
                "Civitai's file name, in loras");

        JsonObject checkpoint = model(json(r), "unknown_checkpoint").get("queue").asObject();
        assertEquals("failed", checkpoint.getString("result", null), r.body());
        assertEquals(1, jobs(), "only the LoRA is queued");
    }

    @Test
    void nameWithASubFolder_isQueuedIntoThatSubFolder_whereComfyUiLooks() throws Exception {
        byte[] content = Bytes.random(40_000, 13);
        URI url = storage.put("anime.safetensors", content);
        startComfy();
        String workflow = """
                {"nodes": [{"id": 3, "type": "LoraLoader", "widgets_values": ["Illustrious/anime/x.safetensors", 1, 1],
                   "properties": {"models": [{"name": "Illustrious/anime/x.safetensors", "url": "%s",
                                              "directory": "loras"}]}}]}
                """.formatted(url);
        HttpResponse<String> r = post("?queue=true", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject q = model(json(r), "Illustrious/anime/x.safetensors").get("queue").asObject();
        assertEquals("queued", q.getString("result", null), r.body());
        daemon.await(q.getLong("job_id", 0), "completed");
        assertArrayEquals(content, Files.readAllBytes(comfy("loras",
                "Illustrious/anime/x.safetensors")));

        HttpResponse<String> plan = post("", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals("present", model(json(plan), "Illustrious/anime/x.safetensors")
                .getString("decision", null), "the library finds it at the path the workflow names"
                + " once the scan sees it, or the job holds it: "
                        + plan.body());
    }

    private HttpResponse<String> queuePlan(String id, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + daemon.port()
                + "/api/workflow/plan/" + id + "/queue")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void planQueuedLater_takesTheChosenRows_withAFolderAndAUrlTheUserPicked() throws Exception {
        byte[] content = Bytes.random(30_000, 14);
        URI url = storage.put("custom.safetensors", content);
        startComfy();
        String workflow = """
                {"nodes": [
                  {"id": 7, "type": "SomeCustomLoader", "widgets_values": ["custom.safetensors"]},
                  {"id": 8, "type": "LoraLoader", "widgets_values": ["nobody-knows.safetensors", 1, 1]}]}
                """;
        HttpResponse<String> plan = post("", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals(200, plan.statusCode(), plan.body());
        JsonObject custom = model(json(plan), "custom.safetensors");
        assertEquals("unknown_folder", custom.getString("decision", null), plan.body());
        int row = custom.getInt("row", -1);
        String id = json(plan).getString("plan_id", null);
        assertEquals(Bytes.sha256(workflow.getBytes(StandardCharsets.UTF_8)), id);

        HttpResponse<String> queued = queuePlan(id,
                "{\"rows\": [" + row + "], \"choices\": {\"" + row
                + "\": {\"folder\": \"loras\", \"url\": \"" + url + "\"}}}");
        assertEquals(202, queued.statusCode(), queued.body());
        JsonObject q = model(json(queued), "custom.safetensors");
        assertEquals("download", q.getString("decision", null),
                "planned again with the choices: " + queued.body());
        daemon.await(q.get("queue").asObject().getLong("job_id", 0), "completed");
        assertArrayEquals(content, Files.readAllBytes(comfy("loras", "custom.safetensors")));
        JsonObject other = model(json(queued), "nobody-knows.safetensors").get("queue").asObject();
        assertEquals("not chosen", other.getString("reason", null), queued.body());
        assertEquals(1, jobs());
    }

    @Test
    void modelTheUserHasUnderAnotherName_isLinkedWhenChosen_notDownloadedAgain() throws Exception {
        byte[] content = Bytes.random(20_000, 15);
        Path theirs = write(dir.resolve("models/models/loras/my_old_name.safetensors"), content);
        startComfy();
        String workflow = """
                {"nodes": [{"id": 4, "type": "LoraLoader", "widgets_values": ["style/wanted.safetensors", 1, 1],
                  "properties": {"models": [{"name": "style/wanted.safetensors", "url": "%s",
                                             "hash": "%s", "hash_type": "sha256", "directory": "loras"}]}}]}
                """.formatted(storage.put("wanted", content), Bytes.sha256(content));
        HttpResponse<String> all = post("?queue=true", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        JsonObject row = model(json(all), "style/wanted.safetensors");
        assertEquals("present_elsewhere", row.getString("decision", null), all.body());
        assertEquals(theirs.toAbsolutePath().normalize().toString(),
                row.getString("elsewhere", null));
        assertEquals(content.length, row.getLong("size", 0));
        assertEquals("not_queued", row.get("queue").asObject().getString("result", null),
                "a link is the user's choice");

        HttpResponse<String> nulls = queuePlan(json(all).getString("plan_id", null),
                "{\"rows\": null}");
        assertEquals("not_queued", model(json(nulls), "style/wanted.safetensors").get("queue")
                .asObject().getString("result", null),
                "rows null is every row, as ?queue=true: no link " + nulls.body());
        HttpResponse<String> chosen = queuePlan(json(all).getString("plan_id", null),
                "{\"rows\": [0]}");
        assertEquals(202, chosen.statusCode(), chosen.body());
        JsonObject q = model(json(chosen), "style/wanted.safetensors").get("queue").asObject();
        assertEquals("linked", q.getString("result", null), chosen.body());
        Path target = comfy("loras", "style/wanted.safetensors");
        assertTrue(Files.isSameFile(theirs, target), "one file on one file system: a hard link");
        assertEquals(0, storage.requests("wanted").size(), "nothing was downloaded");
        assertEquals(0, jobs());
        HttpResponse<String> again = post("", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals("present", model(json(again), "style/wanted.safetensors")
                .getString("decision", null), "the library knows the placed file: " + again.body());
        HttpResponse<String> twice = queuePlan(json(all).getString("plan_id", null),
                "{\"rows\": [0]}");
        assertEquals("not_queued", model(json(twice), "style/wanted.safetensors").get("queue")
                .asObject().getString("result", null), "present now: nothing to do");
    }

    @Test
    void aCopyInAnotherRoot_isLinkedIntoATypeFolderThatDoesNotExistYet() throws Exception {
        byte[] content = Bytes.random(12_000, 18);
        Path other = dir.resolve("ComfyUI-models");
        Path theirs = write(other.resolve("loras/theirs.safetensors"), content);
        startComfy(config("layout", "comfyui")
                .set("library_roots", new JsonArray().add(other.toString())));
        assertFalse(Files.exists(comfy("loras", "")), "no loras folder in download_dir yet");
        String workflow = """
                {"nodes": [{"id": 5, "type": "LoraLoader", "widgets_values": ["mine.safetensors", 1, 1],
                  "properties": {"models": [{"name": "mine.safetensors", "hash": "%s", "directory": "loras"}]}}]}
                """.formatted(Bytes.sha256(content));
        HttpResponse<String> plan = post("", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        assertEquals("present_elsewhere",
                model(json(plan), "mine.safetensors").getString("decision", null), plan.body());
        HttpResponse<String> r = queuePlan(json(plan).getString("plan_id", null),
                "{\"rows\": [0]}");
        assertEquals("linked", model(json(r), "mine.safetensors").get("queue").asObject()
                .getString("result", null), r.body());
        assertTrue(Files.isSameFile(theirs, comfy("loras", "mine.safetensors")));
    }

    @Test
    void ambiguousName_listsItsCandidates_andTheOneTheUserPicksIsLinked() throws Exception {
        Path first = write(dir.resolve("models/models/loras/sd15/x.safetensors"),
                Bytes.random(9_000, 16));
        Path second = write(dir.resolve("models/models/loras/sdxl/x.safetensors"),
                Bytes.random(11_000, 17));
        startComfy();
        String workflow = "{\"nodes\": [{\"id\": 2, \"type\": \"LoraLoader\", \"widgets_values\":"
                + " [\"x.safetensors\", 1, 1]}]}";
        HttpResponse<String> plan = post("", workflow.getBytes(StandardCharsets.UTF_8),
                "application/json");
        JsonObject row = model(json(plan), "x.safetensors");
        assertEquals("ambiguous", row.getString("decision", null), plan.body());
        JsonArray candidates = row.get("candidates").asArray();
        assertEquals(2, candidates.size(), plan.body());
        assertEquals(11_000, candidates.get(1).asObject().getLong("size", 0));
        String id = json(plan).getString("plan_id", null);

        HttpResponse<String> wrong = queuePlan(id,
                "{\"rows\": [0], \"choices\": {\"0\": {\"use\": \"/etc/passwd\"}}}");
        assertEquals(400, wrong.statusCode(), wrong.body());
        String picked = second.toAbsolutePath().normalize().toString();
        // no rows: the pick is enough
        HttpResponse<String> r = queuePlan(id,
                "{\"choices\": {\"0\": {\"use\": \"" + picked + "\"}}}");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject q = model(json(r), "x.safetensors").get("queue").asObject();
        assertEquals("linked", q.getString("result", null), r.body());
        assertTrue(Files.isSameFile(second, comfy("loras", "x.safetensors")),
                "the file the user picked");
        assertFalse(Files.isSameFile(first, comfy("loras", "x.safetensors")));
    }

    @Test
    void planQueue_withAnUnknownPlanOrBadChoices_isA4xxWithTheReason() throws Exception {
        startComfy();
        HttpResponse<String> none = queuePlan("ab".repeat(32), "{}");
        assertEquals(404, none.statusCode(), none.body());
        assertTrue(none.body().contains("send the workflow"), none.body());
        String workflow = "{\"nodes\": [{\"id\": 1, \"type\": \"LoraLoader\", \"widgets_values\":"
                + " [\"a.safetensors\", 1, 1]}]}";
        String id = json(post("", workflow.getBytes(StandardCharsets.UTF_8), "application/json"))
                .getString("plan_id", null);
        for (String bad : new String[] {"{\"rows\": [5]}", "{\"rows\": \"all\"}",
                "{\"choices\": {\"0\": {\"folder\": \"../x\"}}}",
                "{\"choices\": {\"0\": {\"url\": \"file:///etc/passwd\"}}}",
                "{\"choices\": {\"0\": {\"size\": 1}}}", "[]"}) {
            HttpResponse<String> r = queuePlan(id, bad);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            assertTrue(r.body().contains("\"error\""), r.body());
        }
        assertEquals(0, jobs());
    }

    @Test
    void rowThatDoesNotResolve_isReported_andTheOthersStillQueue() throws Exception {
        URI url = storage.put("t5.safetensors", Bytes.random(50_000, 12));
        startComfy();
        String unknown = "ab".repeat(32);
        String workflow = """
                {"nodes": [
                  {"id": 1, "type": "VAELoader", "widgets_values": ["gone.safetensors"],
                   "properties": {"models": [{"name": "gone.safetensors", "directory": "vae", "hash": "%s"}]}}],
                 "models": [{"name": "t5.safetensors", "url": "%s", "directory": "clip"}]}
                """.formatted(unknown, url);
        HttpResponse<String> r = post("?queue=true", workflow.getBytes(StandardCharsets.UTF_8),
                "text/plain");
        assertEquals(202, r.statusCode(), r.body());
        JsonObject gone = model(json(r), "gone.safetensors");
        assertEquals("lookup_hash", gone.getString("decision", null), r.body());
        assertEquals("failed", gone.get("queue").asObject().getString("result", null), r.body());
        assertTrue(gone.get("queue").asObject().getString("reason", "").contains("resolve"),
                r.body());
        JsonObject t5 = model(json(r), "t5.safetensors").get("queue").asObject();
        assertEquals("queued", t5.getString("result", null), r.body());
        daemon.await(t5.getLong("job_id", 0), "completed");
        assertTrue(Files.isRegularFile(comfy("text_encoders", "t5.safetensors")));
    }

    @Test
    void garbage_isA400WithTheReason_notA500() throws Exception {
        startComfy();
        for (String body : new String[] {"hello there", "{\"a\": 1}", "{not json", ""}) {
            HttpResponse<String> r = post("", body.getBytes(StandardCharsets.UTF_8),
                    "application/json");
            assertEquals(400, r.statusCode(), body + ": " + r.body());
            JsonObject error = json(r).get("error").asObject();
            assertEquals("not_a_workflow", error.getString("code", null), r.body());
            assertTrue(error.getString("message", "")
                    .startsWith("not a ComfyUI workflow, a ComfyUI/A1111 PNG"), r.body());
        }
        byte[] brokenPng = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 99, 't',
                'E', 'X', 't'};
        assertEquals(400, post("", brokenPng, "image/png").statusCode());
        assertEquals(400, post("?queue=maybe", new byte[] {'{'}, "text/plain").statusCode());
    }

    @Test
    void bodyPastThePngLimit_isA413() throws Exception {
        startComfy();
        HttpResponse<String> r = post("", new byte[WorkflowReader.MAX_PNG_BYTES + 1], "image/png");
        assertEquals(413, r.statusCode(), r.body());
        assertEquals("payload_too_large", json(r).get("error").asObject().getString("code", null));
    }

    @Test
    void planWithoutQueue_createsNoJob() throws Exception {
        URI url = storage.put(CHECKPOINT, Bytes.random(10_000, 13));
        startComfy();
        HttpResponse<String> r = post("", defaultWorkflowFrom(url), "application/json");
        assertEquals(200, r.statusCode(), r.body());
        JsonObject answer = json(r);
        assertEquals(1, answer.get("summary").asObject().getInt("download", 0), r.body());
        assertTrue(model(answer, CHECKPOINT).get("queue") == null, r.body());
        assertEquals(0, jobs());
        assertTrue(storage.requests(CHECKPOINT).isEmpty(), "the plan fetched nothing");
        assertFalse(Files.exists(comfy("checkpoints", CHECKPOINT)));
    }
}
