package civitai.daemon.http;

import civitai.daemon.store.WebhookStore;
import com.eclipsesource.json.JsonArray;
import com.eclipsesource.json.JsonObject;

/** {@code GET /api/webhooks}: recent deliveries and how each went. */
final class WebhookRoutes {
    private final WebhookStore deliveries;

    WebhookRoutes(WebhookStore deliveries) {
        this.deliveries = deliveries;
    }

    Reply recent(Request r) {
        JsonArray out = new JsonArray();
        for (WebhookStore.Delivery d : deliveries.recent(r.intQuery("limit", 50, 1, 500))) {
            out.add(new JsonObject()
                    .add("id", d.id())
                    .add("event", d.event())
                    .add("url", d.url())
                    .add("job_id", JobJson.nullable(d.jobId()))
                    .add("state", d.state())
                    .add("attempts", d.attempts())
                    .add("last_status", d.lastStatus() == null ? com.eclipsesource.json.Json.NULL
                            : com.eclipsesource.json.Json.value(d.lastStatus()))
                    .add("last_error", JobJson.nullable(d.lastError()))
                    .add("next_attempt_at", d.state().equals("pending") ? JobJson.nullable(d.nextAttemptAt())
                            : com.eclipsesource.json.Json.NULL)
                    .add("created_at", JobJson.nullable(d.createdAt()))
                    .add("delivered_at", JobJson.nullable(d.deliveredAt())));
        }
        return Reply.ok(new JsonObject().add("deliveries", out));
    }
}
