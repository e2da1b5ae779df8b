package civitai.daemon.http;

import civitai.daemon.http.server.ApiException;
import civitai.daemon.http.server.JsonValues;
import civitai.daemon.http.server.Reply;
import civitai.daemon.http.server.Request;
import civitai.daemon.log.DaemonLog;
import civitai.daemon.notify.Target;
import civitai.daemon.notify.Webhooks;
import civitai.daemon.store.deliveries.WebhookStore;
import com.eclipsesource.json.Json;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;
import java.util.List;

/**
 * {@code GET /api/notifications} (also {@code /api/webhooks}): the targets, their delivery counts,
 * and recent deliveries ({@code ?target=NAME} for one target's); {@code POST
 * /api/notifications/{name}/test} sends a test message now. URLs and errors are shown redacted.
 * <pre>
 * curl -s localhost:8100/api/notifications?target=telegram
 * curl -s -X POST localhost:8100/api/notifications/telegram/test
 * </pre>
 */
final class WebhookRoutes {
    private final WebhookStore deliveries;
    private final Webhooks notifications;
    private final DaemonLog log;

    WebhookRoutes(WebhookStore deliveries, Webhooks notifications, DaemonLog log) {
        this.deliveries = deliveries;
        this.notifications = notifications;
        this.log = log;
    }

    Reply recent(Request r) {
        int limit = r.intQuery("limit", 50, 1, 500);
        String only = r.query("target");
        if (only != null && notifications.targets().stream()
                .noneMatch(t -> t.name().equals(only))) {
            throw ApiException.notFound("no notification target named " + only);
        }
        JsonArray targets = new JsonArray();
        for (Target t : notifications.targets()) {
            WebhookStore.Tally tally = deliveries.tally(t.name());
            targets.add(new JsonObject()
                    .add("name", t.name())
                    .add("type", t.type())
                    .add("endpoint", log.redact(t.endpoint()))
                    .add("events", strings(t.events()))
                    .add("pending", tally.pending())
                    .add("delivered", tally.delivered())
                    .add("failed", tally.failed()));
        }
        JsonArray out = new JsonArray();
        for (WebhookStore.Delivery d : only == null ? deliveries.recent(limit)
                : deliveries.recent(only, limit)) {
            out.add(json(d));
        }
        return Reply.ok(new JsonObject().add("targets", targets).add("deliveries", out));
    }

    Reply test(Request r) {
        String name = r.params.get("name");
        WebhookStore.Delivery d = notifications.test(name)
                .orElseThrow(() -> ApiException.notFound("no notification target named " + name));
        return Reply.ok(new JsonObject().add("delivered", d.state().equals("delivered"))
                .add("delivery", json(d)));
    }

    private JsonObject json(WebhookStore.Delivery d) {
        return new JsonObject()
                .add("id", d.id())
                .add("target", JsonValues.nullable(d.target()))
                .add("event", d.event())
                .add("url", log.redact(d.url()))
                .add("job_id", JsonValues.nullable(d.jobId()))
                .add("state", d.state())
                .add("attempts", d.attempts())
                .add("last_status", d.lastStatus() == null ? Json.NULL : Json.value(d.lastStatus()))
                .add("last_error", JsonValues.nullable(log.redact(d.lastError())))
                .add("next_attempt_at", d.state().equals("pending")
                        ? JsonValues.nullable(d.nextAttemptAt()) : Json.NULL)
                .add("created_at", JsonValues.nullable(d.createdAt()))
                .add("delivered_at", JsonValues.nullable(d.deliveredAt()));
    }

    private static JsonArray strings(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }
}
