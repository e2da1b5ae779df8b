package civitai.daemon.notify;

import civitai.daemon.events.Event;
import civitai.daemon.log.Redactor;
import civitai.daemon.store.jobs.Job;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonObject;
import com.eclipsesource.json.JsonValue;
import com.eclipsesource.json.ParseException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON document a webhook receives for a job event: what happened, to which file, how it went.
 * Never carries a secret (the URL is sent without its query, which may hold a token).
 */
final class WebhookPayload {
    private static final Pattern VERSION_IN_URL = Pattern.compile("/api/download/models/(\\d+)");

    private WebhookPayload() {}

    static String of(String event, Instant at, Job job, Event.OfJob cause) {
        JsonObject o = new JsonObject()
                .add("event", event)
                .add("timestamp", at.toString())
                .add("job_id", job.id())
                .add("model_id", nullable(job.spec().modelId()))
                .add("version_id", nullable(versionId(job)))
                .add("name", nullable(modelName(job)))
                .add("model_type", job.spec().modelType())
                .add("filename", nullable(filename(job)))
                .add("path", nullable(job.targetPath()))
                .add("url", job.spec().url().getScheme() + "://"
                        + job.spec().url().getRawAuthority() + job.spec().url().getRawPath())
                .add("sha256", nullable(job.sha256() != null ? job.sha256()
                        : job.spec().expectedSha256()))
                .add("size", nullable(job.totalBytes()))
                .add("attempts", job.attempts());
        switch (cause) {
            case Event.Completed c -> o.add("size", c.bytes())
                    .add("duration_seconds", c.took().toMillis() / 1000.0)
                    .add("average_bytes_per_second", c.took().toMillis() > 0 && c.downloaded()
                            ? Math.round(c.bytes() * 1000.0 / c.took().toMillis()) : 0)
                    .add("downloaded", c.downloaded())
                    .add("path", c.path())
                    .add("sha256", c.sha256());
            case Event.Failed f -> o.add("error", f.reason()).add("error_message", f.message());
            case Event.Started s -> o.add("attempt", s.attempt())
                    .add("resumed_at_byte", s.offset());
            default -> { }
        }
        return Redactor.urls(o.toString());
    }

    private static Long versionId(Job job) {
        Matcher m = VERSION_IN_URL.matcher(job.spec().url().getPath());
        return m.find() ? Long.valueOf(m.group(1)) : null;
    }

    /** The entry's {@code name} (set for Civitai references: "model version"), or null. */
    private static String modelName(Job job) {
        try {
            JsonValue entry = Json.parse(job.spec().entryJson());
            JsonValue name = entry.isObject() ? entry.asObject().get("name") : null;
            return name != null && name.isString() && !name.asString().isBlank() ? name.asString()
                    : null;
        } catch (ParseException e) {
            return null;
        }
    }

    private static String filename(Job job) {
        if (job.spec().filename() != null) {
            return job.spec().filename();
        }
        return job.targetPath() == null ? null : Path.of(job.targetPath()).getFileName().toString();
    }

    private static JsonValue nullable(Long v) {
        return v == null ? Json.NULL : Json.value(v);
    }

    private static JsonValue nullable(String v) {
        return v == null ? Json.NULL : Json.value(v);
    }
}
