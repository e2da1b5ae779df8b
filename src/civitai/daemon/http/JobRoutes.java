package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.http.intake.Intake;
import civitai.daemon.http.intake.References;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.http.server.Router;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestEntry;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.store.Job;
import civitai.daemon.store.JobHistory;
import civitai.daemon.store.JobState;
import civitai.daemon.store.JobStore;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Jobs: adding them (one or a batch; each is also recorded in manifest.json), listing, and
 * controlling them.
 * <pre>
 *   curl -s -XPOST localhost:8123/api/download -H 'Content-Type: application/json' \
 *        -d '{"url": "https://civitai.com/api/download/models/1387174", "model_type": "lora"}'
 *   curl -s 'localhost:8123/api/jobs?state=failed&amp;limit=20'
 *   curl -s 'localhost:8123/api/jobs?state=queued,paused'
 *   curl -s -XPOST localhost:8123/api/jobs/7/pause
 *   curl -s -XPATCH localhost:8123/api/jobs/7 -H 'Content-Type: application/json' -d '{"priority": 1}'
 *   curl -s -XDELETE 'localhost:8123/api/jobs/7?delete_file=true'
 *   curl -s -XPOST 'localhost:8123/api/batch?dry_run=true' -d @manifest.json   # check only, queue nothing
 *   curl -s -XPOST 'localhost:8123/api/download?dry_run=true' -d '{"url": "<hub link>", "model_type": "vae"}'
 *                                                                       # the entry it would queue
 * </pre>
 */
final class JobRoutes {
    /**
     * 10,000 entries of ~400 bytes. Parsed and checked, a batch holds about four times its size
     * at once: 16 MiB (the limit before) exhausted the daemon's 64 MiB heap by itself.
     */
    static final int MAX_BATCH_BODY = 4 << 20;
    static final int MAX_BATCH_ENTRIES = 10_000;
    /**
     * One batch at a time: a body of up to {@link #MAX_BATCH_BODY} parses into a tree several
     * times its size, and two at once would not fit the daemon's heap. The next waits this long.
     */
    private static final java.time.Duration BATCH_WAIT = java.time.Duration.ofSeconds(30);
    private final java.util.concurrent.Semaphore batches = new java.util.concurrent.Semaphore(1);

    private final DownloadQueue queue;
    private final JobStore store;
    private final JobHistory history;
    private final ManifestFile manifest;
    private final Intake intake;

    JobRoutes(DownloadQueue queue, JobStore store, JobHistory history, ManifestFile manifest, Intake intake) {
        this.queue = queue;
        this.store = store;
        this.history = history;
        this.manifest = manifest;
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
        if (dryRun) {  // what would be queued: a reference resolved (a Hub file's commit, size, SHA-256), nothing kept
            return Reply.ok(new JsonObject().add("entry", Json.parse(entry.json())));
        }
        JobStore.Inserted inserted = intake.add(List.of(entry)).get(0);
        r.exchange.getResponseHeaders().set("Location", r.forwarded().link("/api/jobs/" + inserted.job().id()));
        return Reply.accepted(result(inserted));
    }

    Reply batch(Request r) throws IOException {
        try {
            if (!batches.tryAcquire(BATCH_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                r.exchange.getResponseHeaders().set("Retry-After", "5");
                throw new ApiException(503, "busy", "another batch is being added; send this one again when it"
                        + " is done");
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
        Checked checked = check(r);  // the request's JSON tree is garbage from here: 10,000 entries are ~10 MB
        if (r.boolQuery("dry_run")) {  // the GUI checks first: per-entry answers without a failed request
            return Reply.ok(new JsonObject().add("entries", checked.size()).add("valid", checked.valid().size())
                    .add("problems", checked.problems()));
        }
        if (!checked.problems().isEmpty()) {
            throw new ApiException(400, "invalid_entries", checked.problems().size() + " of " + checked.size()
                    + " entries are invalid; nothing was queued", checked.problems());
        }
        intake.record(checked.valid());
        JsonArray jobs = new JsonArray();
        // each job in brief: a 10,000-entry batch answers in well under a megabyte
        for (JobStore.Inserted submitted : queue.submitAll(checked.valid().stream().map(ManifestEntry::toSpec).toList())) {
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
                : body.isObject() && body.asObject().get("entries") != null && body.asObject().get("entries").isArray()
                        ? body.asObject().get("entries").asArray() : null;
        if (array == null) {
            throw ApiException.badRequest("send an array of entries, or {\"entries\": [...]}");
        }
        if (array.size() > MAX_BATCH_ENTRIES) {
            throw new ApiException(413, "payload_too_large", "at most " + MAX_BATCH_ENTRIES + " entries per batch");
        }
        List<ManifestEntry> entries = new java.util.ArrayList<>();
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
        return result(inserted, live());
    }

    private static JsonObject result(JobStore.Inserted inserted, Map<Long, ActiveDownload> live) {
        return outcome(inserted).add("job", JobJson.of(inserted.job(), live.get(inserted.job().id())));
    }

    private static JsonObject outcome(JobStore.Inserted inserted) {
        return new JsonObject().add("result", Intake.outcome(inserted));
    }

    Reply list(Request r) {
        java.util.Set<JobState> states = java.util.EnumSet.noneOf(JobState.class);
        if (r.query("state") != null) {
            for (String name : r.query("state").split(",", -1)) {
                try {
                    states.add(JobState.of(name.strip()));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("state=" + r.query("state") + ": \"" + name + "\" is not one of"
                            + " queued, downloading, verifying, completed, failed, cancelled, paused");
                }
            }
        }
        String cursor = r.query("cursor");
        if (cursor != null && !cursor.matches("\\d{1,18}")) {
            throw ApiException.badRequest("cursor=" + cursor + " is not a cursor this API gave");
        }
        return page(history.jobs(states, r.intQuery("limit", 50, 1, 500), cursor));
    }

    Reply completed(Request r) {
        String cursor = r.query("cursor");
        if (cursor != null && !cursor.matches("[0-9T:.Z-]{10,40},\\d{1,18}")) {
            throw ApiException.badRequest("cursor=" + cursor + " is not a cursor this API gave");
        }
        String modelType = r.query("model_type");
        String search = r.query("q");
        if (search != null && search.length() > 200) {
            throw ApiException.badRequest("q= is at most 200 characters");
        }
        return page(history.completed(r.intQuery("limit", 50, 1, 500), cursor, modelType, since(r.query("since")),
                search));
    }

    private static Instant since(String text) {
        if (text == null) {
            return null;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay().toInstant(ZoneOffset.UTC) : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since=" + text + " must be a date (2026-11-01) or an instant"
                    + " (2026-11-01T12:00:00Z)");
        }
    }

    private Reply page(JobHistory.Page page) {
        JsonArray jobs = new JsonArray();
        Map<Long, ActiveDownload> live = live();
        page.jobs().forEach(j -> jobs.add(JobJson.of(j, live.get(j.id()))));
        return Reply.ok(new JsonObject().add("jobs", jobs).add("next_cursor", JsonValues.nullable(page.nextCursor())));
    }

    Reply get(Request r) {
        long id = r.id();
        Job job = store.find(id).orElseThrow(() -> ApiException.notFound("no job " + id));
        JsonArray attempts = new JsonArray();
        for (Map<String, Object> a : history.attempts(id)) {
            JsonObject row = new JsonObject();
            a.forEach((k, v) -> row.add(k, v == null ? com.eclipsesource.json.Json.NULL
                    : v instanceof Number n ? com.eclipsesource.json.Json.value(n.longValue())
                    : com.eclipsesource.json.Json.value(v.toString())));
            attempts.add(row);
        }
        return Reply.ok(new JsonObject().add("job", json(job).add("attempt_log", attempts)));
    }

    Reply patch(Request r) throws IOException {
        JsonValue body = r.json(JsonBody.MAX_BODY);
        if (!body.isObject() || body.asObject().names().isEmpty()
                || !body.asObject().names().stream().allMatch("priority"::equals)) {
            throw ApiException.badRequest("send {\"priority\": n}; only the priority of a job can be changed");
        }
        JsonValue p = body.asObject().get("priority");
        if (!p.isNumber() || p.asDouble() != Math.rint(p.asDouble()) || Math.abs(p.asDouble()) > 1_000_000) {
            throw ApiException.badRequest("\"priority\" must be a whole number from -1000000 to 1000000");
        }
        return Reply.ok(new JsonObject().add("job", json(queue.reprioritize(r.id(), (int) p.asDouble()))));
    }

    /**
     * Removes the job, its file when asked (and only while the file is the one it verified), and
     * its manifest.json entry, so the job does not come back at the next start.
     */
    Reply delete(Request r) {
        long id = r.id();
        boolean deleteFile = r.boolQuery("delete_file");
        Job job = store.find(id).orElseThrow(() -> ApiException.notFound("no job " + id));
        boolean fileDeleted = queue.delete(id, deleteFile);
        return Reply.ok(new JsonObject().add("deleted", id).add("file_deleted", fileDeleted)
                .add("manifest", forget(job)));
    }

    /** Drops the job's entry from manifest.json; says what happened, in words. */
    private String forget(Job job) {
        String key = job.spec().key();
        int[] removed = {0};
        try {
            manifest.modify(array -> {
                removed[0] = 0;  // the change runs again when the file was saved meanwhile
                JsonArray kept = new JsonArray();
                for (JsonValue v : array) {
                    if (sameJob(v, key)) {
                        removed[0]++;
                    } else {
                        kept.add(v);
                    }
                }
                return kept;
            });
        } catch (Manifest.ManifestException | IOException e) {
            return "entry kept: manifest.json could not be rewritten (" + e.getMessage() + "); remove the entry"
                    + " by hand or the job comes back at the next start";
        }
        return removed[0] > 0 ? "entry removed" : "no entry";
    }

    private static boolean sameJob(JsonValue entry, String key) {
        try {
            return EntryParser.parse(entry).toSpec().key().equals(key);
        } catch (EntryParser.InvalidEntry e) {
            return false;  // an entry that does not parse is no job's; it stays as the user wrote it
        }
    }

    /**
     * pause, resume, cancel or retry. {@code settles} is the state a pause or cancel ends in: if
     * the worker has not stopped within the wait, the answer is 202 with the job as it is now.
     */
    Router.Handler control(LongFunction<Job> action, JobState settles) {
        return r -> {
            Job job = action.apply(r.id());
            JsonObject body = new JsonObject().add("job", json(job));
            if (settles != null && job != null && job.state() != settles) {
                return Reply.accepted(body.add("pending", "the download is still stopping; its state changes to "
                        + settles.key() + " shortly (watch /api/events)"));
            }
            return Reply.ok(body);
        };
    }

    private JsonObject json(Job job) {
        return JobJson.of(job, live().get(job.id()));
    }

    /** The running downloads by job, looked up once per request (not once per job listed). */
    private Map<Long, ActiveDownload> live() {
        return queue.active().stream().collect(Collectors.toMap(ActiveDownload::jobId, a -> a));
    }
}
