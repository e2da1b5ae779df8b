package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import civitai.daemon.testing.Fault;
import civitai.daemon.testing.Poll;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Adding jobs over the API: one, a batch, and what is recorded in manifest.json. */
class ApiTest extends DaemonTest {
    byte[] content = Bytes.random(200_000, 51);

    private JsonArray manifestOnDisk() throws IOException {
        return Json.parse(Files.readString(dir.resolve("manifest.json"))).asArray();
    }

    @Test
    void download_queuesTheEntry_recordsItInTheManifest_andDownloadsIt() throws IOException {
        start(manifest());
        var body = entry("lora", "api.safetensors", storage.put("api", content),
                Bytes.sha256(content)).add("note", "from curl");
        var response = daemon.post("/api/download", body.toString());

        assertEquals(202, response.statusCode(), response.body());
        JsonObject answer = json(response);
        assertEquals("queued", answer.getString("result", null));
        long id = answer.get("job").asObject().getLong("id", 0);
        daemon.await(id, "completed");
        JsonArray recorded = manifestOnDisk();
        assertEquals(1, recorded.size());
        assertEquals("from curl", recorded.get(0).asObject().getString("note", null),
                "extra fields kept");
        assertTrue(Files.exists(dir.resolve("manifest.json.bak")), "the previous manifest is kept");
    }

    @Test
    void theSameEntryTwice_isOneJobAndOneManifestEntry() throws IOException {
        start(manifest());
        String body = entry("lora", "twice.safetensors", storage.put("twice", content),
                Bytes.sha256(content)).toString();
        long id = json(daemon.post("/api/download", body)).get("job").asObject().getLong("id", 0);
        daemon.await(id, "completed");

        var again = json(daemon.post("/api/download", body));
        assertEquals("already_completed", again.getString("result", null));
        assertEquals(1, manifestOnDisk().size());
        assertEquals(1, storage.requests("twice").size());
    }

    @Test
    void badEntry_is400WithTheReason_andNothingIsRecorded() throws IOException {
        start(manifest());
        var response = daemon.post("/api/download",
                entry("lora", "../escape.safetensors", storage.put("x", content), null).toString());
        assertEquals(400, response.statusCode());
        assertTrue(json(response).get("error").asObject().getString("message", "")
                .contains("\"filename\""));
        assertEquals(0, manifestOnDisk().size());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }

    @Test
    void batch_withABadEntry_listsEachAndQueuesNothing() throws IOException {
        start(manifest());
        JsonArray batch = manifest(
                entry("lora", "ok.safetensors", storage.put("ok", content), null),
                entry("lora", "bad/../name.safetensors", storage.put("ok", content), null),
                new JsonObject().add("model_type", "lora"));
        var response = daemon.post("/api/batch", batch.toString());

        assertEquals(400, response.statusCode());
        JsonObject error = json(response).get("error").asObject();
        assertEquals("invalid_entries", error.getString("code", null));
        JsonArray details = error.get("details").asArray();
        assertEquals(2, details.size());
        assertEquals(1, details.get(0).asObject().getInt("index", -1));
        assertEquals(2, details.get(1).asObject().getInt("index", -1));
        assertTrue(details.get(1).asObject().getString("reason", "")
                .contains("\"url\" is missing"));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
        assertEquals(0, manifestOnDisk().size());
    }

    @Test
    void batch_queuesAll_andReportsWhatIsAlreadyThere() throws IOException {
        start(manifest());
        var first = entry("lora", "b1.safetensors", storage.put("b1", content),
                Bytes.sha256(content));
        long done = json(daemon.post("/api/download", first.toString())).get("job").asObject()
                .getLong("id", 0);
        daemon.await(done, "completed");

        var second = entry("vae", "b2.safetensors", storage.put("b2", content), null);
        var response = daemon.post("/api/batch",
                new JsonObject().add("entries", manifest(first, second)).toString());

        assertEquals(202, response.statusCode(), response.body());
        JsonArray jobs = json(response).get("jobs").asArray();
        assertEquals("already_completed", jobs.get(0).asObject().getString("result", null));
        assertEquals("queued", jobs.get(1).asObject().getString("result", null));
        daemon.await(jobs.get(1).asObject().get("job").asObject().getLong("id", 0), "completed");
        assertEquals(1, storage.requests("b1").size(), "the present file was not downloaded again");
        assertEquals(2, manifestOnDisk().size());
    }

    @Test
    void unparsableManifest_isNeverOverwritten_andTheAddIsRefused() throws IOException {
        start(manifest());
        Files.writeString(dir.resolve("manifest.json"), "[ {\"oops\": ");
        var response = daemon.post("/api/download",
                entry("lora", "m.safetensors", storage.put("m", content), null).toString());
        assertEquals(409, response.statusCode());
        assertEquals("[ {\"oops\": ", Files.readString(dir.resolve("manifest.json")));
        assertTrue(daemon.getJson("/api/status").get("manifest").asObject().getString("error", "")
                .contains("not valid JSON"), "status reports the broken manifest");
    }

    @Test
    void aBrokenManifestAtStart_isReportedAndLeftAsItIs() throws IOException {
        start(manifest());
        daemon.stop();
        Files.writeString(dir.resolve("manifest.json"), "{\"not\": \"an array\"}");
        daemon.startAgain();
        assertTrue(daemon.getJson("/api/status").get("manifest").asObject().getString("error", "")
                .contains("not a JSON array"));
        assertEquals("{\"not\": \"an array\"}", Files.readString(dir.resolve("manifest.json")));
        assertTrue(daemon.log("error.log").contains("manifest not loaded"));
    }

    @Test
    void jobs_arePagedNewestFirst_andFilteredByState() {
        var entries = new JsonArray();
        for (int i = 0; i < 5; i++) {
            entries.add(entry("lora", "p" + i + ".safetensors", storage.put("p" + i, content),
                    null));
        }
        start(entries);
        for (long id = 1; id <= 5; id++) {
            daemon.await(id, "completed");
        }

        JsonObject page1 = daemon.getJson("/api/jobs?limit=2");
        assertEquals(List.of(5L, 4L), ids(page1.get("jobs").asArray()));
        String cursor = page1.getString("next_cursor", null);
        JsonObject page2 = daemon.getJson("/api/jobs?limit=2&cursor=" + cursor);
        assertEquals(List.of(3L, 2L), ids(page2.get("jobs").asArray()));
        JsonObject last = daemon.getJson("/api/jobs?limit=2&cursor="
                + page2.getString("next_cursor", null));
        assertEquals(List.of(1L), ids(last.get("jobs").asArray()));
        assertTrue(last.get("next_cursor").isNull());
        assertEquals(0, daemon.getJson("/api/jobs?state=failed").get("jobs").asArray().size());
        assertEquals(400, daemon.get("/api/jobs?state=bogus").statusCode());
        assertEquals(400, daemon.get("/api/jobs?limit=0").statusCode());
        assertEquals(400, daemon.get("/api/jobs?cursor=abc").statusCode());
    }

    @Test
    void oneJob_showsItsAttempts_andUnknownIdsAre404() {
        var url = storage.put("one", content);
        storage.fault("one", new Fault.Drop(50_000));
        start(manifest(entry("lora", "one.safetensors", url, Bytes.sha256(content))));
        daemon.await(1, "completed");

        JsonObject job = daemon.getJson("/api/jobs/1").get("job").asObject();
        assertEquals("completed", job.getString("state", null));
        assertEquals(Bytes.sha256(content), job.getString("sha256", null));
        assertEquals(2, job.get("attempt_log").asArray().size());
        assertEquals("retry", job.get("attempt_log").asArray().get(0).asObject()
                .getString("outcome", null));
        assertEquals(404, daemon.get("/api/jobs/99").statusCode());
        assertEquals(404, daemon.get("/api/jobs/abc").statusCode());
    }

    @Test
    void completed_newestFirst_filteredByTypeAndDate_andPaged() {
        start(manifest(entry("lora", "c1.safetensors", storage.put("c1", content), null),
                entry("vae", "c2.safetensors", storage.put("c2", content), null),
                entry("lora", "c3.safetensors", storage.put("c3", content), null)));
        for (long id = 1; id <= 3; id++) {
            daemon.await(id, "completed");
        }
        JsonArray all = daemon.getJson("/api/completed").get("jobs").asArray();
        assertEquals(3, all.size());
        for (int i = 1; i < all.size(); i++) {
            String before = all.get(i - 1).asObject().getString("finished_at", "");
            String after = all.get(i).asObject().getString("finished_at", "");
            assertTrue(before.compareTo(after) >= 0, "newest first: " + before + " then " + after);
        }
        assertEquals(2, daemon.getJson("/api/completed?model_type=lora").get("jobs").asArray()
                .size());
        assertEquals(0, daemon.getJson("/api/completed?since=2999-01-01").get("jobs").asArray()
                .size());
        assertEquals(3, daemon.getJson("/api/completed?since=2000-01-01T00:00:00Z").get("jobs")
                .asArray().size());
        JsonObject page = daemon.getJson("/api/completed?limit=2");
        JsonObject rest = daemon.getJson("/api/completed?limit=2&cursor="
                + page.getString("next_cursor", null));
        assertEquals(1, rest.get("jobs").asArray().size());
        assertEquals(400, daemon.get("/api/completed?since=yesterday").statusCode());
    }

    @Test
    void deleteFile_removesTheFile_otherwiseItStays() throws IOException {
        start(manifest(entry("lora", "keep.safetensors", storage.put("keep", content), null),
                entry("lora", "drop.safetensors", storage.put("drop", content), null)));
        daemon.await(1, "completed");
        daemon.await(2, "completed");

        assertEquals(200, daemon.send("DELETE", "/api/jobs/1", null, null).statusCode());
        assertEquals(200, daemon.send("DELETE", "/api/jobs/2?delete_file=true", null, null)
                .statusCode());

        assertEquals(404, daemon.get("/api/jobs/1").statusCode());
        assertTrue(Files.exists(daemon.models().resolve("lora/keep.safetensors")));
        assertFalse(Files.exists(daemon.models().resolve("lora/drop.safetensors")));
        assertEquals(0, daemon.db().count("SELECT count(*) FROM attempts"),
                "attempts go with their job");
    }

    @Test
    void metrics_reportTotalsSpeedsFailuresAndHistory() {
        var good = entry("lora", "m1.safetensors", storage.put("m1", content), null);
        var bad = entry("lora", "m2.safetensors", storage.url("missing"), null);
        start(manifest(good, bad));
        daemon.await(1, "completed");
        daemon.await(2, "failed");

        JsonObject m = daemon.getJson("/api/metrics");
        assertEquals(1, m.get("jobs").asObject().getInt("completed", -1));
        assertEquals(content.length, m.getLong("bytes_completed", 0));
        assertTrue(m.getDouble("average_bytes_per_second", 0) > 0);
        assertEquals(0.5, m.getDouble("success_rate", 0), 1e-9);
        assertEquals(1, m.get("failures_by_reason").asObject().getInt("not_found", -1));
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertEquals(1, m.get("per_day").asObject().get(today).asObject().getInt("count", 0));
        assertEquals(content.length, m.get("per_model_type").asObject().get("lora").asObject()
                .getLong("bytes", 0));

        var prometheus = daemon.get("/metrics");
        assertEquals(200, prometheus.statusCode());
        assertTrue(prometheus.headers().firstValue("Content-Type").orElse("")
                .startsWith("text/plain; version=0.0.4"));
        assertTrue(prometheus.body().contains("civitai_daemon_jobs{state=\"completed\"} 1"),
                prometheus.body());
        assertTrue(prometheus.body().contains("civitai_daemon_failures{reason=\"not_found\"} 1"));
        assertTrue(prometheus.body().contains("civitai_daemon_queue_depth 0"));
        assertTrue(prometheus.body().contains("civitai_daemon_webhook_failures_total 0"));
        assertEquals(steady(prometheus.body()),
                steady(daemon.get("/api/metrics?format=prometheus").body()));
    }

    /**
     * A metrics document without the free space, which other writers on the disk change between two
     * reads.
     */
    private static String steady(String prometheus) {
        return prometheus.lines().filter(l -> !l.startsWith("civitai_daemon_free_bytes{"))
                .collect(Collectors.joining("\n"));
    }

    private static List<Long> ids(JsonArray jobs) {
        return jobs.values().stream().map(j -> j.asObject().getLong("id", 0)).toList();
    }

    @Test
    void manifestEntryAddedByTheApi_surviveARestartWithoutDuplicates() throws IOException {
        start(manifest());
        long id = json(daemon.post("/api/download",
                entry("lora", "r.safetensors", storage.put("r", content), null)
                .toString())).get("job").asObject().getLong("id", 0);
        daemon.await(id, "completed");
        daemon.stop();
        daemon.startAgain();
        Poll.until(() -> daemon.get("/healthz").statusCode() == 200, () -> "restart");
        assertEquals(1, daemon.db().count("SELECT count(*) FROM jobs"));
        assertEquals(1, manifestOnDisk().size());
        assertTrue(Files.exists(Path.of(daemon.models().resolve("lora/r.safetensors").toString())));
    }

    @Test
    void anEntryOver16KiB_extraFieldsIncluded_is400_andNothingIsRecorded() throws Exception {
        start(new JsonArray());
        String notes = "n".repeat(17_000);
        var r = daemon.post("/api/download",
                new JsonObject().add("url", storage.url("big-notes.bin").toString())
                .add("model_type", "lora").add("notes", notes).toString());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("at most 16384 (16 KiB)"), r.body());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
        assertFalse(Files.readString(dir.resolve("manifest.json")).contains(notes));
    }
}
