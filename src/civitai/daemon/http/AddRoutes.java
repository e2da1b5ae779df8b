package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.http.intake.Intake;
import civitai.daemon.http.intake.References;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Adding jobs: one entry ({@code POST /api/download}) or a batch ({@code POST /api/batch}), each
 * a raw entry or a reference the intake resolves, recorded in manifest.json and queued; with
 * {@code ?dry_run=true}, checked (and a single entry resolved) without keeping anything.
 * <pre>
 *   curl -s -XPOST localhost:8123/api/download -H 'Content-Type: application/json' \
 *        -d '{"url": "https://civitai.com/api/download/models/1387174", "model_type": "lora"}'
 *   curl -s -XPOST 'localhost:8123/api/batch?dry_run=true' -d @manifest.json   # check only, queue nothing
 *   curl -s -XPOST 'localhost:8123/api/download?dry_run=true' -d '{"url": "<hub link>", "model_type": "vae"}'
 *                                                                       # the entry it would queue
 * </pre>
 */
final class AddRoutes {
    /**
     * 10,000 entries of ~400 bytes. Parsed and checked, a batch holds about four times its size
     * at once: a 16 MiB batch would exhaust the daemon's 64 MiB heap by itself.
     */
    static final int MAX_BATCH_BODY = 4 << 20;
    static final int MAX_BATCH_ENTRIES = 10_000;
    /**
     * One batch at a time: a body of up to {@link #MAX_BATCH_BODY} parses into a tree several
     * times its size, and two at once would not fit the daemon's heap. The next waits this long.
     */
    private static final Duration BATCH_WAIT = Duration.ofSeconds(30);
    private final Semaphore batches = new Semaphore(1);

    private final DownloadQueue queue;
    private final Intake intake;

    AddRoutes(DownloadQueue queue, Intake intake) {
        this.queue = queue;
        this.intake = intake;
    }

    Reply download(Request r) throws IOException {
        boolean dryRun = r.boolQuery("dry_run");  // a bad query is refused before the body is read
        JsonValue body = r.json(JsonBody.MAX_BODY);
        ManifestEntry entry;
        try {
            entry = intake.entry(body);
        } catch (References.NotResolved e) {
            throw e.toApi(r);
        } catch (EntryParser.InvalidEntry e) {
            throw ApiException.badRequest("bad entry: " + e.getMessage());
        }
        // what would be queued: a reference resolved (a Hub file's commit, size, SHA-256), nothing
        // kept
        if (dryRun) {
            return Reply.ok(new JsonObject().add("entry", Json.parse(entry.json())));
        }
        JobStore.Inserted inserted = intake.add(List.of(entry)).get(0);
        r.exchange.getResponseHeaders()
                .set("Location", r.forwarded().link("/api/jobs/" + inserted.job().id()));
        return Reply.accepted(result(inserted));
    }

    Reply batch(Request r) throws IOException {
        try {
            if (!batches.tryAcquire(BATCH_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                r.exchange.getResponseHeaders().set("Retry-After", "5");
                throw new ApiException(503, "busy", "another batch is being added; send this one"
                        + " again when it is done");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "stopping", "the daemon is stopping");
        }
        try {
            return addBatch(r);
        } finally {
            batches.release();
        }
    }

    private Reply addBatch(Request r) throws IOException {
        // the request's JSON tree is garbage from here: 10,000 entries are ~10 MB
        Checked checked = check(r);
        // the GUI checks first: per-entry answers without a failed request
        if (r.boolQuery("dry_run")) {
            return Reply.ok(new JsonObject().add("entries", checked.size())
                    .add("valid", checked.valid().size()).add("problems", checked.problems()));
        }
        if (!checked.problems().isEmpty()) {
            throw new ApiException(400, "invalid_entries",
                    checked.problems().size() + " of " + checked.size()
                    + " entries are invalid; nothing was queued", checked.problems());
        }
        intake.record(checked.valid());
        JsonArray jobs = new JsonArray();
        // each job in brief: a 10,000-entry batch answers in well under a megabyte
        for (JobStore.Inserted submitted
                : queue.submitAll(checked.valid().stream().map(ManifestEntry::toSpec).toList())) {
            JobStore.Inserted i = queue.reclaim(submitted);
            jobs.add(outcome(i).add("job", JobJson.brief(i.job())));
        }
        return Reply.accepted(new JsonObject().add("jobs", jobs));
    }

    /** A batch's entries: how many were sent, the valid ones, and what is wrong with the others. */
    private record Checked(int size, List<ManifestEntry> valid, JsonArray problems) {}

    private Checked check(Request r) throws IOException {
        JsonValue body = r.json(MAX_BATCH_BODY);
        JsonArray array = body.isArray() ? body.asArray()
                : body.isObject() && body.asObject().get("entries") != null
                && body.asObject().get("entries").isArray()
                        ? body.asObject().get("entries").asArray() : null;
        if (array == null) {
            throw ApiException.badRequest("send an array of entries, or {\"entries\": [...]}");
        }
        if (array.size() > MAX_BATCH_ENTRIES) {
            throw new ApiException(413, "payload_too_large",
                    "at most " + MAX_BATCH_ENTRIES + " entries per batch");
        }
        List<ManifestEntry> entries = new ArrayList<>();
        JsonArray problems = new JsonArray();
        for (int i = 0; i < array.size(); i++) {
            try {
                entries.add(intake.entry(array.get(i)));
            } catch (References.NotResolved e) {
                if (e.retryAfter != null) {
                    throw e.toApi(r);  // nothing is queued; the whole batch can be sent again
                }
                problems.add(new JsonObject().add("index", i).add("reason", e.getMessage()));
            } catch (EntryParser.InvalidEntry e) {
                problems.add(new JsonObject().add("index", i).add("reason", e.getMessage()));
            }
        }
        return new Checked(array.size(), entries, problems);
    }

    /** The job and what happened to the request: queued now, or known already. */
    private JsonObject result(JobStore.Inserted inserted) {
        return outcome(inserted).add("job",
                JobJson.of(inserted.job(), JobJson.live(queue).get(inserted.job().id())));
    }

    private static JsonObject outcome(JobStore.Inserted inserted) {
        return new JsonObject().add("result", Intake.outcome(inserted));
    }
}
