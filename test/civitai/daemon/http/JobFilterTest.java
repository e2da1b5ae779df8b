package civitai.daemon.http;

import static civitai.daemon.testing.TestDaemon.entry;
import static civitai.daemon.testing.TestDaemon.json;
import static civitai.daemon.testing.TestDaemon.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;

import civitai.daemon.testing.Bytes;
import civitai.daemon.testing.DaemonTest;
import com.eclipsesource.json.JsonArray;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GUI's filters: several states at once on /api/jobs, a name search on /api/completed. */
class JobFilterTest extends DaemonTest {
    private long add(String filename, int seed) {
        return add(filename, seed, seed);
    }

    /** With {@code declared != served} the hash never matches and the job fails. */
    private long add(String filename, int served, int declared) {
        byte[] content = Bytes.random(30_000, served);
        return json(daemon.post("/api/download",
                entry("lora", filename, storage.put(filename, content),
                        Bytes.sha256(Bytes.random(30_000, declared))).toString())).get("job")
                                .asObject().getLong("id", 0);
    }

    private static List<Long> ids(JsonArray jobs) {
        List<Long> out = new ArrayList<>();
        jobs.forEach(j -> out.add(j.asObject().getLong("id", 0)));
        return out;
    }

    @Test
    void severalStates_commaSeparated_newestFirst() {
        start(manifest());
        long done = add("Done-One.safetensors", 1);
        daemon.await(done, "completed");
        long failed = add("bad.safetensors", 2, 20);
        daemon.await(failed, "failed");
        long other = add("other-done.safetensors", 3);
        daemon.await(other, "completed");

        assertEquals(List.of(failed), ids(daemon.getJson("/api/jobs?state=failed,cancelled")
                .get("jobs").asArray()));
        assertEquals(List.of(other, failed, done),
                ids(daemon.getJson("/api/jobs?state=completed,failed").get("jobs").asArray()));
        assertEquals(List.of(other, done),
                ids(daemon.getJson("/api/jobs?state=completed").get("jobs").asArray()));
        var bad = daemon.get("/api/jobs?state=failed,nope");
        assertEquals(400, bad.statusCode());
        assertEquals(400, daemon.get("/api/jobs?state=failed,").statusCode());

        assertEquals(List.of(done), ids(daemon.getJson("/api/completed?q=-ONE").get("jobs")
                .asArray()), "ignores case");
        assertEquals(List.of(other, done),
                ids(daemon.getJson("/api/completed?q=DONE").get("jobs").asArray()));
        assertEquals(List.of(), ids(daemon.getJson("/api/completed?q=bad").get("jobs").asArray()),
                "completed only");
        assertEquals(List.of(), ids(daemon.getJson("/api/completed?q=%25").get("jobs").asArray()),
                "no wildcards");
    }

    @Test
    void aBatchDryRun_answersPerEntry_andQueuesNothing() throws Exception {
        start(manifest());
        String before = Files.readString(dir.resolve("manifest.json"));
        String body = "[{\"url\": \"http://127.0.0.1:9/a.bin\", \"model_type\": \"vae\"}, {\"url\":"
                + " \"http://127.0.0.1:9/b\"}]";
        var r = daemon.post("/api/batch?dry_run=true", body);
        assertEquals(200, r.statusCode(), r.body());
        var answer = json(r);
        assertEquals(2, answer.getInt("entries", 0));
        assertEquals(1, answer.getInt("valid", 0));
        var problem = answer.get("problems").asArray().get(0).asObject();
        assertEquals(1, problem.getInt("index", -1));
        assertEquals(true, problem.getString("reason", "").contains("model_type"),
                problem.toString());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
        assertEquals(before, Files.readString(dir.resolve("manifest.json")), "nothing recorded");

        var good = json(daemon.post("/api/batch?dry_run=1",
                "[{\"url\": \"http://127.0.0.1:9/a.bin\", \"model_type\": \"vae\"}]"));
        assertEquals(0, good.get("problems").asArray().size());
        assertEquals(0, daemon.db().count("SELECT count(*) FROM jobs"));
    }
}
