package civitai.daemon.http;

import civitai.daemon.download.DownloadQueue;
import civitai.daemon.download.attempt.ActiveDownload;
import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonBody;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.http.server.Router;
import civitai.daemon.manifest.EntryParser;
import civitai.daemon.manifest.Manifest;
import civitai.daemon.manifest.ManifestFile;
import civitai.daemon.store.jobs.Job;
import civitai.daemon.store.jobs.JobHistory;
import civitai.daemon.store.jobs.JobState;
import civitai.daemon.store.jobs.JobStore;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The jobs there are: listing them, the completed ones, one job, and controlling them (pause,
 * resume, cancel, retry, priority, delete). Adding them is {@link AddRoutes}.
 * <pre>
 *   curl -s 'localhost:8123/api/jobs?state=failed&amp;limit=20'
 *   curl -s 'localhost:8123/api/jobs?state=queued,paused'
 *   curl -s -XPOST localhost:8123/api/jobs/7/pause
 *   curl -s -XPATCH localhost:8123/api/jobs/7 -H 'Content-Type: application/json' -d '{"priority": 1}'
 *   curl -s -XDELETE 'localhost:8123/api/jobs/7?delete_file=true'
 * </pre>
 */
final class JobRoutes {
    private final DownloadQueue queue;
    private final JobStore store;
    private final JobHistory history;
    private final ManifestFile manifest;

    JobRoutes(DownloadQueue queue, JobStore store, JobHistory history, ManifestFile manifest) {
        this.queue = queue;
        this.store = store;
        this.history = history;
        this.manifest = manifest;
    }


    Reply list(Request r) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        if (r.query("state") != null) {
            for (String name : r.query("state").split(",", -1)) {
                try {
                    states.add(JobState.of(name.strip()));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("state=" + r.query("state") + ": \"" + name
                            + "\" is not one of" + " queued, downloading, verifying, completed,"
                            + " failed, cancelled, paused");
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
        return page(history.completed(r.intQuery("limit", 50, 1, 500), cursor, modelType,
                since(r.query("since")), search));
    }

    private static Instant since(String text) {
        if (text == null) {
            return null;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay()
                    .toInstant(ZoneOffset.UTC) : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("since=" + text + " must be a date (2026-11-01) or an"
                    + " instant (2026-11-01T12:00:00Z)");
        }
    }

    private Reply page(JobHistory.Page page) {
        JsonArray jobs = new JsonArray();
        Map<Long, ActiveDownload> live = JobJson.live(queue);
        page.jobs().forEach(j -> jobs.add(JobJson.of(j, live.get(j.id()))));
        return Reply.ok(new JsonObject().add("jobs", jobs)
                .add("next_cursor", JsonValues.nullable(page.nextCursor())));
    }

    Reply get(Request r) {
        long id = r.id();
        Job job = store.find(id).orElseThrow(() -> ApiException.notFound("no job " + id));
        JsonArray attempts = new JsonArray();
        for (Map<String, Object> a : history.attempts(id)) {
            JsonObject row = new JsonObject();
            a.forEach((k, v) -> row.add(k, v == null ? Json.NULL
                    : v instanceof Number n ? Json.value(n.longValue())
                    : Json.value(v.toString())));
            attempts.add(row);
        }
        return Reply.ok(new JsonObject().add("job", json(job).add("attempt_log", attempts)));
    }

    Reply patch(Request r) throws IOException {
        JsonValue body = r.json(JsonBody.MAX_BODY);
        if (!body.isObject() || body.asObject().names().isEmpty()
                || !body.asObject().names().stream().allMatch("priority"::equals)) {
            throw ApiException.badRequest("send {\"priority\": n}; only the priority of a job"
                    + " can be changed");
        }
        JsonValue p = body.asObject().get("priority");
        if (!p.isNumber() || p.asDouble() != Math.rint(p.asDouble())
                || Math.abs(p.asDouble()) > 1_000_000) {
            throw ApiException.badRequest("\"priority\" must be a whole number from"
                    + " -1000000 to 1000000");
        }
        return Reply.ok(new JsonObject()
                .add("job", json(queue.reprioritize(r.id(), (int) p.asDouble()))));
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
            return "entry kept: manifest.json could not be rewritten (" + e.getMessage()
                    + "); remove the entry by hand or the job comes back at the next start";
        }
        return removed[0] > 0 ? "entry removed" : "no entry";
    }

    private static boolean sameJob(JsonValue entry, String key) {
        try {
            return EntryParser.parse(entry).toSpec().key().equals(key);
        } catch (EntryParser.InvalidEntry e) {
            // an entry that does not parse is no job's; it stays as the user wrote it
            return false;
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
                return Reply.accepted(body.add("pending",
                        "the download is still stopping; its state changes to "
                        + settles.key() + " shortly (watch /api/events)"));
            }
            return Reply.ok(body);
        };
    }

    private JsonObject json(Job job) {
        return JobJson.of(job, JobJson.live(queue).get(job.id()));
    }
}
